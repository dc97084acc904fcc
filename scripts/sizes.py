"""Module and function sizes under src/: every module over 400 lines, every function over 60.

    python scripts/sizes.py [--max-module 400] [--max-function 60]

Exit status 1 when something is over a limit. Lines are counted from the first to the
last line of the node (decorators, docstrings and blank lines included).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield f"{prefix}{node.name}", (node.end_lineno or node.lineno) - start + 1
            yield from functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, f"{prefix}{node.name}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-module", type=int, default=400)
    parser.add_argument("--max-function", type=int, default=60)
    args = parser.parse_args()
    over = 0
    modules, longest = [], []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(SRC).as_posix()
        modules.append((len(text.splitlines()), name))
        for function, length in functions(ast.parse(text)):
            longest.append((length, f"{name}:{function}"))
    modules.sort(reverse=True)
    longest.sort(reverse=True)
    print(f"{len(modules)} modules; longest: " + ", ".join(f"{n} ({lines})" for lines, n in modules[:3]))
    print(f"{len(longest)} functions; longest: " + ", ".join(f"{n} ({lines})" for lines, n in longest[:3]))
    for lines, name in modules:
        if lines > args.max_module:
            print(f"module over {args.max_module} lines: {name} ({lines})")
            over += 1
    for lines, name in longest:
        if lines > args.max_function:
            print(f"function over {args.max_function} lines: {name} ({lines})")
            over += 1
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
