"""Every section of `docs/evaluation.md`, in order: `name → "module:function"`.

Add yours with one line; the function takes no arguments and returns an
`evaluation.report.Section`. Modules are imported only when their section runs.
"""

from __future__ import annotations

SECTIONS: dict[str, str] = {
    "parse": "evaluation.parse_quality:parse_section",
}
SECTIONS["office"] = "evaluation.native:office_section"
SECTIONS["understanding"] = "evaluation.understanding_report:understanding_section"
SECTIONS["forms"] = "evaluation.forms:forms_section"
