#!/usr/bin/env python3
"""Regenerates the two tables in docs/ that mirror code: the annotation compatibility table (from
src/Alb/Alb.Core/Annotations/AnnotationCatalog.cs) and the diagnostic codes (from
src/Alb/Alb.Core/Diagnostics/DiagnosticCode.cs). Tests check both tables row by row; run this after changing either."""
import re
from collections import Counter
from pathlib import Path

root = Path(__file__).resolve().parent.parent
label = {"Supported": "supported", "Planned": "not supported yet", "NotSupported": "not supported", "RefusedByDesign": "refused by design"}


def replace_between(path, begin, end, body):
    text = path.read_text()
    i = text.index(begin) + len(begin)
    j = text.index(end)
    path.write_text(text[:i] + "\n" + body + text[j:])


catalog = (root / "src/Alb/Alb.Core/Annotations/AnnotationCatalog.cs").read_text()
rows = re.findall(r'new\("([^"]+)", AnnotationFamily\.(\w+), AnnotationScope\.\w+, AnnotationRisk\.(\w+), AnnotationSupport\.(\w+), "((?:[^"\\]|\\.)*)"\)', catalog)
counts = Counter(label[r[3]] for r in rows)
table = "| annotation (`nginx.ingress.kubernetes.io/`) | family | alb | ingress-nginx risk | meaning |\n|---|---|---|---|---|\n"
table += "".join(f"| `{n}` | {f} | {label[s]} | {risk} | {m.replace(chr(92) + chr(34), chr(34))} |\n" for n, f, risk, s, m in rows)
summary = f"{len(rows)} annotations: {counts['supported']} supported, {counts['not supported yet']} not supported yet, {counts['not supported']} not supported, {counts['refused by design']} refused by design.\n\n"
replace_between(root / "docs/alb-annotations.md", "<!-- BEGIN annotation-table (scripts/docs-tables.py) -->", "<!-- END annotation-table -->", summary + table)

codes = (root / "src/Alb/Alb.Core/Diagnostics/DiagnosticCode.cs").read_text()
found = re.findall(r'new\("(ALB\d+)", Severity\.(\w+), "((?:[^"\\]|\\.)*)"\)', codes)
table = "| code | severity | meaning |\n|---|---|---|\n" + "".join(f"| `{c}` | {s} | {m.replace(chr(92) + chr(34), chr(34))} |\n" for c, s, m in found)
replace_between(root / "docs/diagnostics.md", "<!-- BEGIN code-table (scripts/docs-tables.py) -->", "<!-- END code-table -->", table)
print(f"docs-tables: {len(rows)} annotations, {len(found)} diagnostic codes")
