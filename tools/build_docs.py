"""Build the documentation site from the notebooks (`make docs`), offline, with Sphinx + MyST-NB.

nbdev's own site generator needs the Quarto binary, which cannot be installed here; this stages the same `nbs/`
for Sphinx instead: every module notebook becomes the page its module docstring links to (`<name>.html`, and the
`<name>.html.md` text twin nbdev links to) with an API section (autodoc) appended; every paper gets a page with its
README (the paper's claims and the last reproduction's generated results table) and figures, and its notebook —
executed, from `outputs/<slug>/`, when `make reproduce` has run, else as committed. Then it checks the site:
every module docstring's link and every link between pages must point to a page that exists.

    python tools/build_docs.py [--out _docs]      # exit 1 (and the list) if a link is broken
"""
import argparse, json, re, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

ROOT = Path(__file__).resolve().parents[1]


def page_name(nb: Path) -> str:
    "The page nbdev names a notebook: `09_dryrun.ipynb` → `dryrun`, `papers/shuffle_r1.ipynb` → `papers/shuffle_r1`."
    from nbdev.config import nbpath2html
    return nbpath2html(nb.relative_to(ROOT/"nbs")).with_suffix("").as_posix()


def module_of(nb: dict) -> str | None:
    for c in nb["cells"]:
        if m := re.search(r"^#\|\s*default_exp\s+(\S+)", "".join(c["source"]), re.M): return "reasonlab." + m.group(1)
    return None


def markdown_twin(nb: dict) -> str:
    "The notebook as Markdown (nbdev's `.html.md`), by nbconvert: prose as is, code fenced, outputs left out."
    import nbformat
    from nbconvert import MarkdownExporter
    return MarkdownExporter(exclude_output=True).from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))[0]


def stage(src: Path) -> list[tuple[str, dict]]:
    "Write the Sphinx source tree; return (page, notebook) for every notebook page."
    shutil.rmtree(src, ignore_errors=True); (src/"papers").mkdir(parents=True)
    shutil.copy(ROOT/"docs"/"conf.py", src/"conf.py")
    pages, modules, papers = [], [], []
    for f in sorted((ROOT/"nbs").glob("*.ipynb")) + sorted((ROOT/"nbs"/"papers").glob("*.ipynb")):
        name = page_name(f)
        if name == "index": continue
        nb = json.loads(f.read_text())
        mod = module_of(nb)
        executed = None
        if name.startswith("papers/"):
            slug = next((p.name for p in (ROOT/"papers").iterdir() if p.name.replace("-", "_") == Path(name).name), None)
            executed = ROOT/"outputs"/slug/f"{slug}.ipynb" if slug else None
            if executed is not None and executed.exists(): nb = json.loads(executed.read_text())
            papers.append((name, slug))
        else: modules.append(name)
        if mod:
            nb["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "api00000",
                                "source": [f"## API: `{mod}`\n\n```{{eval-rst}}\n.. automodule:: {mod}\n```\n"]})
        for c in nb["cells"]:  # papermill's injected-parameters cell and widgets state render as noise
            c.get("metadata", {}).pop("widgets", None)
        nb.setdefault("metadata", {}).pop("widgets", None)
        (src/f"{name}.ipynb").write_text(json.dumps(nb))
        pages.append((name, nb))
    for name, slug in papers:
        if slug is None: continue
        text = (ROOT/"papers"/slug/"README.md").read_text()
        figs = sorted((ROOT/"outputs"/slug).glob("*.png")) if (ROOT/"outputs"/slug).exists() else []
        for fig in figs: shutil.copy(fig, src/"papers"/f"{slug}-{fig.name}")
        text += "\n\n## Figures of the last reproduction\n\n" + ("\n\n".join(f"![{fig.stem}]({slug}-{fig.name})" for fig in figs)
                                                              if figs else "_Run `make reproduce` to draw them._")
        text += f"\n\nThe notebook: [{Path(name).name}]({Path(name).name}.ipynb).\n"
        (src/"papers"/f"{slug}.md").write_text(text)
    index = ["# reasonlab", "", (ROOT/"README.md").read_text().split("\n## ", 1)[0].split("\n", 1)[1].strip(), "",
             "```{toctree}", ":caption: Modules", ":maxdepth: 1", "", *modules, "```", "",
             "```{toctree}", ":caption: Papers", ":maxdepth: 1", "",
             *[x for name, slug in papers for x in ([f"papers/{slug}"] if slug else []) + [name]], "```", ""]
    (src/"index.md").write_text("\n".join(index))
    return pages


class _Links(HTMLParser):
    def __init__(self): super().__init__(); self.links = []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v: self.links.append(v)


def broken_links(out: Path) -> list[str]:
    "Links between pages of the site, and module docstring links, that point to no file."
    bad = []
    for page in out.rglob("*.html"):
        if "_static" in page.parts: continue  # the theme's own template snippets
        p = _Links(); p.feed(page.read_text(errors="replace"))
        for link in p.links:
            u = urlparse(link)
            if u.scheme or u.netloc or link.startswith(("#", "mailto:", "data:", "javascript:")): continue
            target = (page.parent/urldefrag(u.path)[0]).resolve()
            if not target.exists(): bad.append(f"{page.relative_to(out)} → {link}")
    from nbdev.config import get_config
    cfg = get_config(); base = cfg.doc_host.rstrip("/") + cfg.doc_baseurl.rstrip("/") + "/"
    for mod in sorted((ROOT/"reasonlab").rglob("*.py")):
        head = mod.read_text().split('"""', 2)
        m = re.search(r"Docs: (\S+)", head[1]) if len(head) > 2 else None
        if m and m.group(1).startswith(base) and not (out/m.group(1)[len(base):]).exists():
            bad.append(f"{mod.relative_to(ROOT)} docstring → {m.group(1)}")
    return bad


def build(out: Path) -> list[str]:
    "Stage, build with Sphinx, write the Markdown twins; the broken links (empty when the site is whole)."
    src = out.parent/(out.name + "-src")
    pages = stage(src)
    r = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "1", str(src), str(out)],
                       capture_output=True, text=True, cwd=src)  # (MyST-NB writes a jupyter_execute/ folder where it runs)
    if r.returncode: raise RuntimeError(f"sphinx-build failed:\n{r.stderr[-3000:]}")
    for name, nb in pages: (out/f"{name}.html.md").write_text(markdown_twin(nb))
    return broken_links(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT/"_docs"))
    a = ap.parse_args()
    bad = build(Path(a.out).resolve())
    print(f"site: {Path(a.out)/'index.html'}")
    if bad: print(f"{len(bad)} broken links:\n" + "\n".join(bad)); sys.exit(1)
