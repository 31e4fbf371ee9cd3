// Graphs as `coalition serve` draws them (GET /v1/workflows/{id}?graph=json): what
// `coalition graph FILE --format json` prints.
import type { Graph } from '../src/graph/model';
import { readGraph } from '../src/graph/model';

// workflows/filing_review.json
export const FILING_REVIEW: unknown = {
  "edges": [
    {
      "dashed": false,
      "from": "n_draft",
      "to": "n_review"
    },
    {
      "dashed": false,
      "from": "n_review",
      "to": "n_decide"
    },
    {
      "dashed": true,
      "from": "n_review",
      "label": "catch deadline.expired",
      "to": "n_missed"
    },
    {
      "dashed": false,
      "from": "n_decide",
      "label": "rule 1",
      "to": "n_filed"
    },
    {
      "dashed": false,
      "from": "n_decide",
      "label": "default",
      "to": "n_rejected"
    },
    {
      "dashed": false,
      "from": "n_filed",
      "to": "n_done"
    },
    {
      "dashed": false,
      "from": "n_done",
      "to": "n___end"
    },
    {
      "dashed": false,
      "from": "n_rejected",
      "label": "review.rejected",
      "to": "n___end"
    },
    {
      "dashed": false,
      "from": "n_missed",
      "label": "review.missed",
      "to": "n___end"
    },
    {
      "dashed": false,
      "from": "n___start",
      "to": "n_draft"
    }
  ],
  "groups": [],
  "nodes": [
    {
      "id": "n___start",
      "lines": [
        "start"
      ],
      "terminal": true
    },
    {
      "id": "n___end",
      "lines": [
        "end"
      ],
      "terminal": true
    },
    {
      "id": "n_draft",
      "lines": [
        "draft",
        "form"
      ],
      "terminal": false
    },
    {
      "id": "n_review",
      "lines": [
        "review",
        "approval"
      ],
      "terminal": false
    },
    {
      "id": "n_decide",
      "lines": [
        "decide",
        "choice"
      ],
      "terminal": false
    },
    {
      "id": "n_filed",
      "lines": [
        "filed",
        "await_signal"
      ],
      "terminal": false
    },
    {
      "id": "n_done",
      "lines": [
        "done",
        "succeed"
      ],
      "terminal": false
    },
    {
      "id": "n_rejected",
      "lines": [
        "rejected",
        "fail"
      ],
      "terminal": false
    },
    {
      "id": "n_missed",
      "lines": [
        "missed",
        "fail"
      ],
      "terminal": false
    }
  ]
};

// A parallel step with branches a (one) and b (two, then three), then after.
export const PARALLEL: unknown = {
  "edges": [
    {
      "dashed": false,
      "from": "n_report__a__one",
      "to": "n_report__a____done"
    },
    {
      "dashed": false,
      "from": "n_report",
      "label": "a",
      "to": "n_report__a__one"
    },
    {
      "dashed": false,
      "from": "n_report__b__two",
      "to": "n_report__b__three"
    },
    {
      "dashed": false,
      "from": "n_report__b__three",
      "to": "n_report__b____done"
    },
    {
      "dashed": false,
      "from": "n_report",
      "label": "b",
      "to": "n_report__b__two"
    },
    {
      "dashed": false,
      "from": "n_report",
      "to": "n_after"
    },
    {
      "dashed": false,
      "from": "n_after",
      "to": "n___end"
    },
    {
      "dashed": false,
      "from": "n___start",
      "to": "n_report"
    }
  ],
  "groups": [
    {
      "id": "n_report__a____group",
      "label": "report / a"
    },
    {
      "id": "n_report__b____group",
      "label": "report / b"
    }
  ],
  "nodes": [
    {
      "id": "n___start",
      "lines": [
        "start"
      ],
      "terminal": true
    },
    {
      "id": "n___end",
      "lines": [
        "end"
      ],
      "terminal": true
    },
    {
      "id": "n_report",
      "lines": [
        "report",
        "parallel"
      ],
      "terminal": false
    },
    {
      "group": "n_report__a____group",
      "id": "n_report__a____done",
      "lines": [
        "joined"
      ],
      "terminal": true
    },
    {
      "group": "n_report__a____group",
      "id": "n_report__a__one",
      "lines": [
        "one",
        "log"
      ],
      "terminal": false
    },
    {
      "group": "n_report__b____group",
      "id": "n_report__b____done",
      "lines": [
        "joined"
      ],
      "terminal": true
    },
    {
      "group": "n_report__b____group",
      "id": "n_report__b__two",
      "lines": [
        "two",
        "log"
      ],
      "terminal": false
    },
    {
      "group": "n_report__b____group",
      "id": "n_report__b__three",
      "lines": [
        "three",
        "succeed"
      ],
      "terminal": false
    },
    {
      "id": "n_after",
      "lines": [
        "after",
        "succeed"
      ],
      "terminal": false
    }
  ]
};

/** A graph of plain steps: `edges` as [from, to, label?]; "n___start" and "n___end" are terminals. */
export function graphOf(edges: [string, string, string?][]): Graph {
  const ids = new Set(edges.flatMap(([from, to]) => [from, to]));
  return readGraph({
    nodes: [...ids].map((id) => ({ id, lines: [id.replace(/^n_/, '')], terminal: id === 'n___start' || id === 'n___end' })),
    edges: edges.map(([from, to, label]) => (label === undefined ? { from, to, dashed: false } : { from, to, label, dashed: false })),
    groups: [],
  });
}
