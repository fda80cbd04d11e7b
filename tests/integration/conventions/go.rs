//! Go code needing gofmt, in a module and without go.mod; go vet findings as context.

use super::Case;

const FORMATTED: &[&str] = &[
    "\tsum := 0",
    "\tfor _, c := range counts {",
    "\t\tsum += c",
    "\t}",
    "\treturn sum",
];
const UNFORMATTED: &[&str] = &[
    "  sum := 0",
    "  for _, c := range counts { sum += c }",
    "  return sum",
];

#[tokio::test]
async fn a_go_module_is_gofmt_formatted() {
    let case = Case::run("go_module").await;
    case.assert_change(&[("tally/tally.go", UNFORMATTED, FORMATTED)]);
    case.assert_no_new_findings("gofmt", &["-l", "."], ".go");
}

#[tokio::test]
async fn gopath_style_code_without_go_mod_is_gofmt_formatted() {
    let case = Case::run("go_gopath").await;
    case.assert_change(&[("src/tally/tally.go", UNFORMATTED, FORMATTED)]);
    case.assert_no_new_findings("gofmt", &["-l", "."], ".go");
}

#[tokio::test]
async fn go_vet_findings_are_reported_as_context() {
    let case = Case::run_with("go_vet", &["--keep-run-dir"]).await;
    let context = case.artifact("context.json");
    let vet: Vec<&serde_json::Value> = context["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["tool"] == "go vet")
        .collect();
    assert_eq!(vet.len(), 1, "{context:#}");
    assert_eq!(vet[0]["path"], "stats/stats.go");
    assert_eq!(vet[0]["line"], 32);
    assert_eq!(
        vet[0]["message"],
        "Value passes lock by value: example.com/stats/stats.Counter contains sync.Mutex"
    );
    assert_eq!(vet[0]["fixable"], false);
    // No tool fixes what go vet finds: the offline run opens nothing, and the code is as it was.
    assert_eq!(case.branch(), None, "{}", case.ran.stderr);
}
