"""`write_report`: results stores in, a folder with index.html, PNG plots and CSVs out.

index.html is self-contained (plots embedded as data URIs, inline CSS, no script)
and links the CSV and PNG files beside it by relative path, so the folder can be
opened from disk, copied or zipped. The CSVs are deterministic: the same stores
and options give byte-identical files.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codefrontier import __version__
from codefrontier.analysis.analyze import Analysis, Options, analyze
from codefrontier.analysis.attachments import attached_section
from codefrontier.analysis.internal import IE_MARGIN, IE_SHARE_LIMIT
from codefrontier.analysis.plots import FIGURES, write_plot
from codefrontier.analysis.tables import Table, ci, pct, pp
from codefrontier.errors import InputError
from codefrontier.store.queries import VERDICTS, Store, load_outcomes

# What each CSV holds, shown in the report's file list (docs/report.md has the columns).
CSV_DESCRIPTIONS = {
    "policies": "one row per policy: ordering value, Pareto flag, failure-class rates, IE excluded",
    "pass_at_k": "one row per policy and k: mean unbiased pass@k with its bootstrap interval",
    "buckets": "one row per difficulty bucket and policy: failure-class rates",
    "verdicts": "one row per policy and sample verdict: sample counts (IE included)",
    "ensembles": "one row per scope and budget K: best split, best single policy, gains (in-sample and cross-fit)",
    "complementarity": "one row per policy: problems solved and solved by no other policy; plus the union",
    "jaccard": "one row per pair of policies: overlap of their solved sets",
    "problems": "one row per problem and policy: counts, rates and pass@k",
    "tests_by_tier": "one row per policy and test tier: verdict counts and CPU time over test runs",
}

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #666; font-size: 0.9em; }
.box { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: 0.6em 1.2em; }
.note { background: #fff8e1; border: 1px solid #ffe082; border-radius: 6px; padding: 0.5em 1.2em; }
.warn { background: #ffebee; border: 2px solid #e53935; border-radius: 6px; padding: 0.5em 1.2em; margin: 1em 0; }
.headline { font-size: 1.1em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; border: 1px solid #eee; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
code { background: #f0f0f0; padding: 0 0.2em; }
"""


def write_report(
    stores: Sequence[str | Path | Store],
    out_dir: str | Path,
    options: Options | None = None,
    *,
    title: str | None = None,
    preface: str = "",
) -> Path:
    """Read the results stores, write the report into `out_dir` (created if needed;
    files of the same names are replaced) and return the path of index.html. `preface`
    is HTML its caller puts first (an experiment's model, training and scope)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("report output exists and is not a directory", path=out)
    analysis = analyze(load_outcomes(stores), options)
    out.mkdir(parents=True, exist_ok=True)
    for table in analysis.tables.values():
        (out / f"{table.name}.csv").write_text(table.to_csv(), encoding="utf-8")
    images = {name: write_plot(name, analysis, out / name) for name in FIGURES}
    index = out / "index.html"
    attached = attached_section(analysis.outcomes.stores, out)
    index.write_text(
        render_html(analysis, images, title=title, attached=attached, preface=preface), encoding="utf-8"
    )
    return index


# ------------------------------------------------------------------------ HTML


def _e(value: Any) -> str:
    return html.escape(str(value))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


SELECTION_NAMES = {"crossfit": "cross-fit", "in-sample": "in-sample"}


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{_e(v)}</td>' if j >= numeric_from else f"<td>{_e(v)}</td>"
            for j, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _img(images: dict[str, Path], name: str, alt: str) -> str:
    data = base64.b64encode(images[name].read_bytes()).decode("ascii")
    return (
        f'<p><img src="data:image/png;base64,{data}" alt="{_e(alt)}"></p>'
        f'<p class="meta">Image file: <a href="{name}">{name}</a></p>'
    )


def _csv_link(table: Table) -> str:
    return f'<p class="meta">Numbers: <a href="{table.name}.csv">{table.name}.csv</a></p>'


def render_html(
    a: Analysis, images: dict[str, Path], *, title: str | None = None, attached: str = "", preface: str = ""
) -> str:
    """The report page: an explanation above every plot and table."""
    r = a.outcomes
    title = title or "codefrontier report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">codefrontier {_e(__version__)} &middot; {len(r.policies)} policies &middot; '
        f"{len(r.problems)} problems &middot; {int(r.n.sum())} judged samples &middot; "
        f"{a.internal_total} IE samples excluded &middot; stores: "
        + ", ".join(f"<code>{_e(s.path)}</code>" for s in r.stores)
        + "</p>",
        preface,
        _internal_warnings(a),
        _reading_guide(a),
        _notes(a),
        _headline(a),
        _frontier_section(a, images),
        _failure_section(a, images),
        _pass_at_k_section(a, images),
        _ensemble_section(a),
        _complementarity_section(a, images),
        _tests_section(a),
        attached,
        _files_section(a, images),
        _provenance_section(a),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _reading_guide(a: Analysis) -> str:
    sel = (
        "<b>cross-fit</b>: problems are split into two halves by a hash of their id "
        f"(seed {a.options.seed}); the best split and the best single policy are chosen on one half and "
        "scored on the other, then the halves swap, so no problem scores a choice made with it"
        if a.selection == "crossfit"
        else "<b>in-sample</b>: the best split and the best single policy are chosen on the same problems "
        "they are scored on, which inflates the gain (rerun with <code>--selection crossfit</code> for an honest one)"
    )
    return f"""<div class="box"><h3>Reading this report</h3><ul>
<li>Every sample is in one <b>failure class</b>: <i>solved</i> (all tests AC), <i>correctness failure</i>
(some test WA, RE, CE or OLE) or <i>optimization failure</i> (no correctness failure, but some TLE or MLE).
Samples with an internal judge error (IE) are the judge's fault: they count as neither failure nor success and
are left out of every rate ({a.internal_total} such samples here). Each policy's <b>IE share</b> is in the
frontier table; a policy whose share is above {100 * IE_SHARE_LIMIT:g}%, or more than {100 * IE_MARGIN:g} percentage
points above the policy with the least IE (and by more than chance explains), is flagged in red at the top of the
page, because its rates leave out samples its programs may have made the judge fail on.</li>
<li>Rates are <b>macro averages</b>: computed per problem, then averaged over problems, so every problem weighs
the same. The solve rate is therefore mean pass@1.</li>
<li><b>pass@k</b> is the unbiased estimator 1 &minus; C(n&minus;c, k) / C(n, k) from n judged samples with c solved
(Chen et al., 2021), averaged over problems. When some problem has fewer than k judged samples, pass@k is
<i>not estimable</i> (shown n/e) rather than clipped.</li>
<li>Intervals are {100 * a.options.level:g}% percentile bootstrap intervals over problems
({a.options.resamples} resamples, seed {a.options.seed}); they do not include the uncertainty of choosing a split.</li>
<li>Ensemble gains use {sel}.</li>
<li>Difficulty buckets come from {_e(a.bucket_source)}.</li>
</ul></div>"""


def _notes(a: Analysis) -> str:
    items = [_e(n) for n in a.notes]
    partial = int(a.outcomes.partial_optimization.sum())
    if partial:
        items.append(
            f"{partial} optimization failures come from runs that stopped before the last test (first-fail mode): "
            "a later test might have been a correctness failure, so their class is not certain."
        )
    check = a.class_check
    if check is None:
        items.append(
            "No tests.parquet: the stored failure classes could not be checked against the test verdicts."
        )
    elif check.mismatches:
        detail = "; ".join(f"{k} stored as {s} but their tests say {d}" for s, d, k in check.mismatches)
        items.append(
            f"Failure classes disagree with the test verdicts: {_e(detail)}. The stored classes are used."
        )
    if not items:
        return ""
    return '<div class="note"><b>Notes</b><ul>' + "".join(f"<li>{i}</li>" for i in items) + "</ul></div>"


def _internal_warnings(a: Analysis) -> str:
    flagged = [a.internal[p.policy] for p in a.points if a.internal[p.policy].flagged]
    if not flagged:
        return ""
    items = "".join(f"<li>{_e(s.warning())}</li>" for s in flagged)
    return f'<div class="warn"><b>\u26a0 Internal judge errors (IE) hide failures</b><ul>{items}</ul></div>'


def _headline(a: Analysis) -> str:
    best = max((p for p in a.points if not math.isnan(p.solved)), key=lambda p: p.solved, default=None)
    lines = []
    if best is not None:
        lines.append(
            f"Highest solve rate: <b>{_e(best.policy)}</b> at {pct(best.solved)} "
            f"(in-sample choice among {len(a.points)} policies)."
            + (
                f" <b>\u26a0 {pct(a.internal[best.policy].share)} of its samples are IE and excluded:"
                " see the warning above.</b>"
                if a.internal[best.policy].flagged
                else ""
            )
        )
    for scope in ["all", *a.bucket_names]:
        rows = [e for e in a.ensembles if e.scope == scope and not math.isnan(e.gain(a.selection))]
        if rows:
            e = rows[-1]
            where = "all problems" if scope == "all" else f"the {_e(scope)} bucket"
            lines.append(
                f"On {where} ({e.problems} problems) at a matched budget of K = {e.budget}: best ensemble "
                f"{pct(e.ensemble(a.selection))} vs best single policy {pct(e.best_single(a.selection))}, "
                f"gain <b>{pp(e.gain(a.selection))}</b> {ci(*e.gain_ci(a.selection), fmt=pp)} "
                f"({SELECTION_NAMES[a.selection]})."
            )
    if a.comp is not None:
        best_count = int(a.comp.solved.sum(axis=1).max())
        lines.append(
            f"Problems solved (pass@{a.comp_k} &ge; {a.options.threshold:g}) by the best single policy: {best_count}; "
            f"by at least one policy: {int(a.comp.union.sum())} of {a.comp.solved.shape[1]}."
        )
    return (
        '<div class="headline"><h2>Headline</h2><ul>'
        + "".join(f"<li>{x}</li>" for x in lines)
        + "</ul></div>"
    )


def _frontier_section(a: Analysis, images: dict[str, Path]) -> str:
    along = (
        "The same three rates along the ordering value, with the solve rate's bootstrap interval as a band:"
        if all(p.order is not None for p in a.points)
        else "The same three rates per policy, side by side, with the solve rate's bootstrap interval as an "
        "error bar. The policies have no ordering value, so no line joins them:"
    )
    return f"""<h2>The correctness&ndash;efficiency frontier</h2>
<p>Each point is a policy, placed by how often its samples fail on correctness (x) and on efficiency only (y).
Because the three classes sum to one, grey diagonals are lines of equal solve rate, lower-left is better and
the shaded corner (x + y &gt; 1) cannot be reached. Policies at the same point share one label.
The grey arrows follow the policies' ordering value (<code>order</code>, else <code>alpha</code>, else numeric
<code>coverage</code> in their metadata): the "alpha line". Ringed points are Pareto-optimal: no other policy
has both failure rates at most as high and one strictly lower. A red label marks a policy whose IE share is
high.</p>
{_img(images, "frontier.png", "frontier scatter")}
<p>{along}</p>
{_img(images, "along_line.png", "rates along the alpha line")}
<p>"Mean passed prefix" is the mean fraction of the size-ordered test suite that a sample passes before its
first non-AC test: how far up the coverage ladder the policy gets.</p>
{a.tables["policies"].to_html()}
{_csv_link(a.tables["policies"])}"""


def _failure_section(a: Analysis, images: dict[str, Path]) -> str:
    buckets = a.tables["buckets"]
    counts = a.outcomes.verdicts.sum(axis=1)
    present = [j for j in range(len(VERDICTS)) if counts[:, j].any()]
    verdict_rows = [(a.outcomes.policies[i], *(int(counts[i, j]) for j in present)) for i in a.order]
    return f"""<h2>Failure classes</h2>
<p>For each policy, the fraction of its samples that are solved, correctness failures and optimization failures
(mean over problems). The number above a bar counts the IE samples left out.</p>
{_img(images, "failure_classes.png", "stacked failure classes per policy")}
<h3>By difficulty bucket</h3>
<p>The same rates within each difficulty bucket ({_e(a.bucket_source)}). When buckets are quantiles of a
solve rate, a policy's own luck on a problem partly decides its bucket, so differences between buckets are
somewhat exaggerated.</p>
{buckets.to_html()}
{_csv_link(buckets)}
<h3>Sample verdicts</h3>
<p>How many samples got each sample verdict (the verdict of the first non-AC test in suite order); IE included.</p>
{_html_table(("policy", *(VERDICTS[j] for j in present)), verdict_rows)}
{_csv_link(a.tables["verdicts"])}"""


def _pass_at_k_section(a: Analysis, images: dict[str, Path]) -> str:
    table = a.tables["pass_at_k"]
    cells = {
        (r.policy, r.k): (
            f"n/e ({_count(r.not_estimable, 'problem')} with n < {r.k})"
            if r.not_estimable
            else f"{pct(r.pass_at_k)} {ci(r.ci_low, r.ci_high)}"
        )
        for r in table.rows
    }
    rows = [(a.outcomes.policies[i], *(cells[(a.outcomes.policies[i], k)] for k in a.ks)) for i in a.order]
    return f"""<h2>pass@k</h2>
<p>Mean unbiased pass@k over problems for each policy; the wide grey band with hollow squares is the best
ensemble of all policies at a matched total budget K (see the next section), chosen {SELECTION_NAMES[a.selection]}. A policy's
line stops where pass@k stops being estimable for it. Policies with identical curves share one line, named
together in the legend; where curves meet, their markers are nested outlines of different shapes.</p>
{_img(images, "pass_at_k.png", "pass@k curves")}
{_html_table(("policy", *(f"pass@{k}" for k in a.ks)), rows)}
{_csv_link(table)}"""


def _ensemble_section(a: Analysis) -> str:
    table = a.tables["ensembles"]
    return f"""<h2>Ensembles at a matched sample budget</h2>
<p>Given a total budget of K samples per problem split as k<sub>1</sub> + &hellip; + k<sub>m</sub> = K over the
policies, the probability that at least one of the K samples solves a problem is estimated without bias as
1 &minus; &prod;<sub>i</sub> C(n<sub>i</sub>&minus;c<sub>i</sub>, k<sub>i</sub>) / C(n<sub>i</sub>, k<sub>i</sub>).
The best split is found by exhaustive search when there are at most 100,000 splits, else by pairwise-exchange
coordinate ascent (never worse than the best single policy; no transfer of samples between two policies
improves it). The gain is over the best single policy at the same K. The headline uses the
<b>{SELECTION_NAMES[a.selection]}</b> numbers; in-sample gains are never negative by construction and overstate what a split
chosen on these problems would gain on new ones. Scopes are all problems judged by every policy and each
difficulty bucket.</p>
{table.to_html() if table.rows else "<p>No ensemble could be formed (no problem is judged by every policy).</p>"}
{_csv_link(table)}"""


def _complementarity_section(a: Analysis, images: dict[str, Path]) -> str:
    table = a.tables["complementarity"]
    body = (
        table.to_html()
        if a.comp is not None
        else "<p>Complementarity is not estimable here (see the notes).</p>"
    )
    how = f"pass@{a.comp_k} &ge; {a.options.threshold:g}" if a.comp_k else "n/e"
    return f"""<h2>Complementarity</h2>
<p>A policy <i>solves</i> a problem when its unbiased {how} (with k equal to the fewest samples any policy has
on a problem, this is "at least one of its samples solved it" whenever k is at least half of every n). Left: the Jaccard overlap
|A &cap; B| / |A &cup; B| of the solved sets of each pair (1 = the same problems). Right: problems solved,
problems no other policy solves, and the union over all policies, the ceiling for any mixture.</p>
{_img(images, "complementarity.png", "complementarity heatmap")}
{body}
{_csv_link(table)} {_csv_link(a.tables["jaccard"])}"""


def _tests_section(a: Analysis) -> str:
    table = a.tables["tests_by_tier"]
    if not table.rows:
        return "<h2>Tests by tier</h2><p>No tests.parquet in these stores.</p>"
    return f"""<h2>Tests by tier</h2>
<p>Every test run, grouped by policy and by the test's tier (smallest tests first): where in the suite samples
fail, and how much CPU time and memory they use there. In first-fail mode tests after the first failure have
no row.</p>
{table.to_html()}
{_csv_link(table)}"""


def _files_section(a: Analysis, images: dict[str, Path]) -> str:
    items = [
        f'<li><a href="{t.name}.csv">{t.name}.csv</a>: {_e(CSV_DESCRIPTIONS[t.name])}</li>'
        for t in a.tables.values()
    ]
    items += [f'<li><a href="{name}">{name}</a></li>' for name in images]
    return "<h2>Files</h2><p>Column definitions are in docs/report.md.</p><ul>" + "".join(items) + "</ul>"


def _provenance_section(a: Analysis) -> str:
    blocks = []
    for s in a.outcomes.stores:
        text = (
            json.dumps(s.provenance, indent=2, sort_keys=True)
            if s.provenance is not None
            else "no provenance.json"
        )
        blocks.append(f"<details><summary><code>{_e(s.path)}</code></summary><pre>{_e(text)}</pre></details>")
    return "<h2>Provenance</h2><p>How the verdicts were made, as recorded by the judge.</p>" + "".join(blocks)
