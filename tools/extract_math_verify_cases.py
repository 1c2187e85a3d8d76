"""Extract Math-Verify's (gold, prediction, expected) test cases into a JSON fixture.

The cases are data from Math-Verify's own tests (https://github.com/huggingface/Math-Verify, Apache-2.0), read
with `ast` from a local checkout; nothing of Math-Verify's code is copied. Usage:

    python tools/extract_math_verify_cases.py /path/to/Math-Verify [commit] > tests/fixtures/math_verify_cases.json

Each case keeps its source (file, test function, index) and the `compare_strings` options the test used
(match types, strict), so Math-Verify can be scored on exactly the call its own test makes.
"""
import ast, json, subprocess, sys
from pathlib import Path

def _const(node):
    try: return ast.literal_eval(node)
    except Exception: return None

def _call_options(fn: ast.FunctionDef) -> dict | None:
    "The constant keyword arguments of the `compare_strings(...)` call in a test's body."
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "compare_strings":
            return {"call": "compare_strings", **{k.arg: _const(k.value) if not isinstance(k.value, ast.Name)
                                                  else {"param": k.value.id} for k in node.keywords}}
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "verify"
                and all(getattr(getattr(a, "func", None), "id", None) == "parse" and len(a.args) == 1 for a in node.args)):
            return {"call": "verify(parse, parse)"}  # Math-Verify's default extraction
    return None

def cases_of(path: Path, rel: str):
    tree = ast.parse(path.read_text())
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        opts = _call_options(fn)
        if opts is None: continue  # not a gold/pred comparison test
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", None) == "parametrize"): continue
            names = [s.strip() for s in _const(dec.args[0]).split(",")]
            if not {"gold", "pred"} <= set(names): continue
            for i, row in enumerate(dec.args[1].elts):
                vals = _const(row)
                if vals is None: continue
                case = dict(zip(names, vals))
                o = {k: (case[v["param"]] if isinstance(v, dict) else v) for k, v in opts.items()}
                yield {"source": f"{rel}::{fn.name}[{i}]", "gold": case["gold"], "pred": case["pred"],
                       "expected": int(case.get("expected", case.get("result"))), **o}

def main(repo: str, commit: str | None = None):
    repo = Path(repo)
    commit = commit or subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    files = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit, "tests/"],
                           capture_output=True, text=True, check=True).stdout.split()
    cases = []
    for rel in sorted(f for f in files if f.endswith(".py")):
        src = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{rel}"], capture_output=True, text=True, check=True).stdout
        tmp = Path("/tmp")/("mv_" + rel.replace("/", "_")); tmp.write_text(src)
        cases += list(cases_of(tmp, rel))
    json.dump({"source": "https://github.com/huggingface/Math-Verify", "commit": commit, "license": "Apache-2.0",
               "cases": cases}, sys.stdout, indent=1, ensure_ascii=False)

if __name__ == "__main__":
    main(*sys.argv[1:])
