// Graphs as `coalition serve` draws them (GET /v1/workflows/{id}?graph=mermaid).

// What `coalition graph workflows/filing_review.json --format mermaid` draws.
export const FILING_REVIEW = `flowchart TD
  n___start(["start"])
  n___end(["end"])
  n_draft["draft<br/>form"]
  n_draft --> n_review
  n_review["review<br/>approval"]
  n_review --> n_decide
  n_review -.->|"catch deadline.expired"| n_missed
  n_decide["decide<br/>choice"]
  n_decide -->|"rule 1"| n_filed
  n_decide -->|"default"| n_rejected
  n_filed["filed<br/>await_signal"]
  n_filed --> n_done
  n_done["done<br/>succeed"]
  n_done --> n___end
  n_rejected["rejected<br/>fail"]
  n_rejected -->|"review.rejected"| n___end
  n_missed["missed<br/>fail"]
  n_missed -->|"review.missed"| n___end
  n___start --> n_draft
`;

export const PARALLEL = `flowchart TD
  n___start(["start"])
  n___end(["end"])
  n_report["report<br/>parallel"]
  subgraph n_report__a____group ["report / a"]
  n_report__a____done(["joined"])
  n_report__a__one["one<br/>log"]
  n_report__a__one --> n_report__a____done
  end
  n_report -->|"a"| n_report__a__one
  subgraph n_report__b____group ["report / b"]
  n_report__b____done(["joined"])
  n_report__b__two["two<br/>log"]
  n_report__b__two --> n_report__b__three
  n_report__b__three["three<br/>succeed"]
  n_report__b__three --> n_report__b____done
  end
  n_report -->|"b"| n_report__b__two
  n_report --> n_after
  n_after["after<br/>succeed"]
  n_after --> n___end
  n___start --> n_report
`;
