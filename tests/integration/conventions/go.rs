//! Go code needing gofmt, in a module and without go.mod.

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
