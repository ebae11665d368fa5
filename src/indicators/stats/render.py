"""Render the report's blocks as HTML (figures embedded), Markdown, and PDF via Chromium."""

from __future__ import annotations

import base64
import html
import shutil
import subprocess
from pathlib import Path

from .report import Block

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:62em;margin:2em auto;color:#262626;
line-height:1.45;font-size:15px;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #8c8c8c;padding-bottom:.3em}
h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #bfbfbf}
h3{font-size:1.05em;margin-top:1.6em}
p.note{font-size:.9em;color:#555;border-left:3px solid #bfbfbf;padding-left:.8em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88em}
th,td{border-bottom:1px solid #d9d9d9;padding:.22em .6em;text-align:right}
th{background:#f2f2f2;font-weight:600}
th.grp{text-align:center;border-left:2px solid #fff}
td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}
img{max-width:100%;width:760px;display:block}
@media print{body{max-width:none;font-size:11px}img{width:560px}
section.t,figure,table{break-inside:avoid}h2,h3{break-after:avoid}}
"""


def _head(head: list[str]) -> str:
    e = html.escape
    if not any("|" in h for h in head):
        return "<tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
    top, sub = [], []
    for h in head:
        a, _, b = h.partition("|")
        if top and top[-1][0] == a and b:
            top[-1][1] += 1
        else:
            top.append([a, 1])
        sub.append(b)
    first = "".join(f'<th colspan="{n}" class="grp">{e(a)}</th>' if n > 1
                    else f"<th>{e(a)}</th>" for a, n in top)
    return f"<tr>{first}</tr><tr>" + "".join(f"<th>{e(b)}</th>" for b in sub) + "</tr>"


def to_html(blocks: list[Block], title: str) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
           f"<title>{e(title)}</title><style>{CSS}</style></head><body>"]
    open_section = False
    for b in blocks:
        if b.kind in ("h1", "h2", "h3") and open_section:
            out.append("</section>")
            open_section = False
        if b.kind == "h3":  # a table with its population, figure and notes stays together
            out.append('<section class="t">')
            open_section = True
        if b.kind in ("h1", "h2", "h3"):
            out.append(f"<{b.kind}>{e(str(b.payload))}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{e(str(b.payload))}</p>")
        elif b.kind == "note":
            out.append(f'<p class="note">{e(str(b.payload))}</p>')
        elif b.kind == "table":
            head, rows = b.payload
            out.append("<table><thead>" + _head(head) + "</thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>"
                    for r in rows]
            out.append("</tbody></table>")
        elif b.kind == "figure":
            data = base64.b64encode(Path(b.payload).read_bytes()).decode("ascii")
            out.append(f'<figure><img alt="{e(b.extra.get("title", ""))}" '
                       f'src="data:image/png;base64,{data}"></figure>')
    if open_section:
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


def to_markdown(blocks: list[Block], outdir: Path) -> str:
    out = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"# {b.payload}\n")
        elif b.kind == "h2":
            out.append(f"## {b.payload}\n")
        elif b.kind == "h3":
            out.append(f"### {b.payload}\n")
        elif b.kind in ("p", "note"):
            out.append(("> " if b.kind == "note" else "") + f"{b.payload}\n")
        elif b.kind == "table":
            head, rows = b.payload
            head = [h.replace("|", " ") for h in head]
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "|".join(["---"] * len(head)) + "|")
            out += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
            out.append("")
        elif b.kind == "figure":
            rel = Path(b.payload).relative_to(outdir)
            out.append(f"![{b.extra.get('title', '')}]({rel.as_posix()})\n")
    return "\n".join(out)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def to_pdf(html_path: Path, pdf_path: Path, timeout: int = 120) -> Path | None:
    """Print the HTML report to PDF with headless Chromium (Debian package ``chromium``);
    None when no Chromium is installed or printing fails."""
    exe = chromium()
    if exe is None:
        return None
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    except (subprocess.SubprocessError, OSError):
        return None
    return pdf_path if pdf_path.exists() and pdf_path.stat().st_size > 0 else None
