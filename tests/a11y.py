"""axe-core through Playwright, limited to the WCAG 2.x A and AA rules (pass
``tags=EVERY_RULE`` to add axe's best-practice rules, such as heading order)."""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EVERY_RULE = [*WCAG_TAGS, "best-practice"]
_axe = Axe()


def axe_violations(page, tags=WCAG_TAGS):
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": tags},
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
        f"{[n['target'] for n in v['nodes'][:3]]})"
        for v in results.response["violations"]
    ]
