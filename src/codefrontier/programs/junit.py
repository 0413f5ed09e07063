"""JUnit XML reports into per-test outcomes, as ProgramBench's harness reads them.

`parse_junit` is `programbench.eval.eval.parse_test_results` with junitparser's reading
rules written out (so the package is not needed at run time, and tests compare the two):

* the root is `<testsuites>` (or one `<testsuite>`, which is wrapped); suites are its
  direct `<testsuite>` children, and a suite's cases are its direct `<testcase>`
  children followed by those of nested suites;
* a case's name is `classname.name` (just `name` without a classname); a case with
  neither is skipped;
* its results are every `<failure>`, `<error>` and `<skipped>` element below it; none is
  `passed`; several of one kind collapse to one; several of different kinds are a
  `system_error`; otherwise `failure`, `error` or `skipped`;
* `extra` holds `time` (when the attribute is present and not empty), and the result's
  `message` and `text` (when not empty).

`check_branch` is `_process_branch_xml`: every expected test (ignored ones aside) that
the report lacks is added as `not_run` with `missing_from_junit_xml`, and tests in the
report that tests.json does not list produce a warning (they still count).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("passed", "skipped", "failure", "error", "system_error", "not_run")
_RESULT_TAGS = ("failure", "error", "skipped")


class ReportError(Exception):
    """The JUnit report is empty or not XML (the branch is recorded as an error)."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


@dataclass
class TestOutcome:
    """One test's result: ProgramBench's TestResult (`name`, `branch`, `status`, `extra`)."""

    __test__ = False  # not a pytest test class

    name: str
    branch: str
    status: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def full_name(self) -> str:
        return f"{self.branch}/{self.name}" if self.branch else self.name

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "branch": self.branch, "status": self.status, "extra": self.extra}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TestOutcome:
        return cls(obj["name"], obj.get("branch", ""), obj["status"], dict(obj.get("extra") or {}))


def parse_junit(xml: str, branch: str = "") -> list[TestOutcome]:
    """Every test case of a JUnit report. Raises ReportError if it is empty or not XML."""
    if not xml.strip():
        raise ReportError("empty_junit_xml", f"Empty test results XML for branch {branch!r}")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ReportError(
            "xml_parse_error",
            f"Malformed test results XML for branch {branch!r}: {exc} (len={len(xml)}, tail={xml[-200:]!r})",
        ) from None
    if root.tag == "testsuite":
        wrapper = ET.Element("testsuites")
        wrapper.append(root)
        root = wrapper
    if root.tag != "testsuites":
        raise ReportError(
            "xml_parse_error", f"Malformed test results XML for branch {branch!r}: Invalid format."
        )
    outcomes = []
    for suite in root.findall("testsuite"):
        for case in _cases(suite):
            outcome = _outcome(case, branch)
            if outcome is not None:
                outcomes.append(outcome)
    return outcomes


def _cases(suite: ET.Element) -> list[ET.Element]:
    cases = suite.findall("testcase")
    for nested in suite.findall("testsuite"):
        cases.extend(_cases(nested))
    return cases


def _outcome(case: ET.Element, branch: str) -> TestOutcome | None:
    classname, name = case.get("classname"), case.get("name")
    raw_name = f"{classname}.{name}" if classname else name
    if not raw_name:
        return None
    extra: dict[str, Any] = {}
    time = case.get("time")
    if time:
        try:
            extra["time"] = float(time.replace(",", ""))
        except ValueError:
            pass  # junitparser would raise; a report with a garbled time still counts its tests
    results = [e for e in case.iter() if e is not case and e.tag in _RESULT_TAGS]
    if len(results) > 1 and len({r.tag for r in results}) == 1:
        results = results[:1]  # e.g. pytest's "pytest.internal" pseudo-test with two identical <error>s
    if not results:
        status = "passed"
    elif len(results) != 1:
        status = "system_error"
        extra["error_details"] = (
            f"Expected 1 result for {raw_name}, got {len(results)}: {[r.tag for r in results]}"
        )
    else:
        result = results[0]
        status = result.tag
        if result.get("message"):
            extra["message"] = result.get("message")
        if result.text:
            extra["text"] = result.text
    return TestOutcome(raw_name, branch, status, extra)


def check_branch(
    xml: str,
    branch: str,
    expected: list[str] | None,
    *,
    ignored: set[str] | None = None,
    branch_ignored: bool = False,
    task_id: str = "",
) -> tuple[list[TestOutcome], list[str]]:
    """The branch's outcomes completed against tests.json, and the warnings.

    `ignored` holds `branch/test` names (the task's ignored tests); they are neither
    reported missing nor unexpected."""
    outcomes = parse_junit(xml, branch)
    warnings: list[str] = []
    tag = f"[{task_id}] branch {branch}" if task_id else f"Branch {branch}"
    if branch_ignored:
        return outcomes, warnings
    if expected is None:
        warnings.append(f"{tag}: no expected test list, cannot verify completeness")
        return outcomes, warnings
    ignored_names = {n.split("/", 1)[1] for n in (ignored or set()) if n.startswith(f"{branch}/")}
    got = {t.name for t in outcomes}
    missing = [n for n in expected if n not in ignored_names and n not in got]
    outcomes.extend(
        TestOutcome(n, branch, "not_run", {"error_code": "missing_from_junit_xml"}) for n in missing
    )
    unexpected = got - set(expected) - ignored_names
    if unexpected:
        warnings.append(f"{tag}: {len(unexpected)} test(s) in JUnit XML not in tests.json")
    return outcomes, warnings
