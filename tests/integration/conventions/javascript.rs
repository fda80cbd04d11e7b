//! JavaScript repositories: eslint with a flat and a legacy configuration, biome, xo, prettier.

use super::Case;

#[tokio::test]
async fn eslint_with_a_flat_configuration() {
    let case = Case::run("eslint_flat").await;
    // prefer-const is fixed; eqeqeq, which eslint does not fix on its own, stays.
    case.assert_change(&[("src/cart.js", &["  let tax = 2;"], &["  const tax = 2;"])]);
    case.assert_no_new_findings("eslint", &["."], "error");
}

#[tokio::test]
async fn eslint_with_a_legacy_configuration_from_the_lockfile() {
    let case = Case::run("eslint_legacy").await;
    // The repository's own eslint 8 (installed from package-lock.json) reads .eslintrc.yml.
    case.assert_change(&[(
        "lib/ledger.js",
        &["  var total = 0;", "  let fee = 1;"],
        &["  let total = 0;", "  const fee = 1;"],
    )]);
}

/// The same repository without its lockfile: its eslint 8 is installed from package.json
/// (`npm install --ignore-scripts --no-package-lock`), not the machine's eslint of another major
/// release that cannot read `.eslintrc.yml`; no lockfile is added to the change.
#[tokio::test]
async fn eslint_with_a_legacy_configuration_and_no_lockfile() {
    let case = Case::run_altered("eslint_legacy", &["--keep-run-dir"], |work| {
        std::fs::remove_file(work.join("package-lock.json")).unwrap();
    })
    .await;
    case.assert_change(&[(
        "lib/ledger.js",
        &["  var total = 0;", "  let fee = 1;"],
        &["  let total = 0;", "  const fee = 1;"],
    )]);
    let context = case.artifact("context.json");
    let eslint = context["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tool"] == "eslint")
        .unwrap_or_else(|| panic!("{context}"));
    assert_eq!(eslint["state"], "ran", "{eslint}");
    assert!(
        eslint["version"].as_str().unwrap().contains("8.57.1"),
        "{eslint}"
    );
}

#[tokio::test]
async fn biome_applies_only_its_safe_fixes() {
    let case = Case::run("biome").await;
    // useConst has a safe fix; noDoubleEquals only an unsafe one, which is not applied.
    case.assert_change(&[("src/cart.js", &["  let tax = 2;"], &["  const tax = 2;"])]);
    case.assert_no_new_findings("biome", &["lint", "."], "lint/");
}

#[tokio::test]
async fn xo_fixes_with_its_own_rules() {
    let case = Case::run("xo").await;
    case.assert_change(&[("src/cart.js", &["\tlet tax = 2;"], &["\tconst tax = 2;"])]);
    case.assert_no_new_findings("xo", &[], "✖");
}

#[tokio::test]
async fn prettier_formats_in_the_repositorys_own_style() {
    let case = Case::run("prettier").await;
    // The repository's .prettierrc.json: no semicolons, single quotes.
    case.assert_change(&[(
        "src/cart.js",
        &[
            "  for (const p of prices) { sum += p }",
            "  return \"item: \" + name",
        ],
        &[
            "  for (const p of prices) {",
            "    sum += p",
            "  }",
            "  return 'item: ' + name",
        ],
    )]);
    case.assert_no_new_findings("prettier", &["--list-different", "."], ".js");
}
