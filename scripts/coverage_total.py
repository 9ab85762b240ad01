"""Print the line and branch coverage of the last `make test` run separately.

coverage.py's TOTAL mixes lines and branches into one figure (the one
`--cov-fail-under` checks); this splits it, from the JSON report.
Usage: python scripts/coverage_total.py var/coverage.json
"""

import json
import sys


def main(path):
    with open(path, encoding="utf-8") as fh:
        totals = json.load(fh)["totals"]
    lines = 100 * totals["covered_lines"] / max(totals["num_statements"], 1)
    branches = 100 * totals["covered_branches"] / max(totals["num_branches"], 1)
    sys.stdout.write(
        f"Coverage of the apps: lines {lines:.1f}% "
        f"({totals['covered_lines']}/{totals['num_statements']}), "
        f"branches {branches:.1f}% "
        f"({totals['covered_branches']}/{totals['num_branches']}), "
        f"total {totals['percent_covered']:.1f}%\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
