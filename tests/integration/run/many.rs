//! `automaintainer run` over several repositories: one run after another, past a failing one,
//! with one summary table at the end; a bad repositories file is bad input.

use crate::common::bin::run_locally;
use crate::common::db::end_run;
use crate::common::git;

/// The header of the summary table: the one line naming its columns.
fn table_header(stderr: &str) -> &str {
    let headers: Vec<&str> = stderr.lines().filter(|l| l.contains("PR/branch")).collect();
    assert_eq!(headers.len(), 1, "one table:\n{stderr}");
    headers[0]
}

/// The table's line for `repository`, split into its cells (two spaces or more apart).
fn table_row(stderr: &str, repository: &str) -> Vec<String> {
    let table = stderr.split(table_header(stderr)).last().unwrap();
    let line = table
        .lines()
        .find(|l| l.contains(repository))
        .unwrap_or_else(|| panic!("no row for {repository}:\n{stderr}"));
    let start = line.find(repository).unwrap();
    line[start..]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn run_goes_through_the_repositories_past_a_failing_one_and_prints_one_table() {
    let data = tempfile::tempdir().unwrap();
    let python = git::init_repo(&data.path().join("python"), super::PYTHON_PROJECT);
    let python = git::bare_clone(&python, &data.path().join("python.git"));
    let (_work, clean) = git::rust_fixture(&data.path().join("rust"));
    let missing = data.path().join("does-not-exist.git");
    let file = data.path().join("repositories.txt");
    std::fs::write(
        &file,
        format!(
            "# the fleet\n\n{}\n{}   # a clean crate\n",
            python.display(),
            clean.display()
        ),
    )
    .unwrap();
    let ran = run_locally(
        data.path(),
        &[
            "--repository",
            missing.to_str().unwrap(),
            "--repositories",
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    // Each repository its own run, in order; the failing first one stops nothing.
    let ids: std::collections::BTreeSet<&str> = ran
        .stderr
        .match_indices("run local-")
        .map(|(at, _)| ran.stderr[at + 4..].split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}\n{}", ran.stderr);
    let order = [&missing, &python, &clean]
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let line = format!("repository {} of 3: {}", index + 1, r.display());
            ran.stderr
                .find(&line)
                .unwrap_or_else(|| panic!("no `{line}`:\n{}", ran.stderr))
        })
        .collect::<Vec<_>>();
    assert!(order[0] < order[1] && order[1] < order[2], "{}", ran.stderr);

    // One table at the end: repository, status, PR/branch, score, duration.
    let header = table_header(&ran.stderr);
    for column in ["repository", "status", "PR/branch", "score", "duration"] {
        assert!(header.contains(column), "{header}");
    }
    let failed = table_row(&ran.stderr, &missing.display().to_string());
    assert_eq!(failed[1..3], ["failed", "–"], "{failed:?}");
    let done = table_row(&ran.stderr, &python.display().to_string());
    assert_eq!(done[1], "done", "{done:?}");
    assert!(done[2].starts_with("#1 automaintainer/lint-"), "{done:?}");
    assert!(done[3].parse::<f64>().is_ok(), "{done:?}");
    assert!(done[4].ends_with('s'), "{done:?}");
    let nothing = table_row(&ran.stderr, &clean.display().to_string());
    assert_eq!(nothing[1], "nothing to do", "{nothing:?}");
    assert!(
        ran.stderr.contains("1 of 3 failed"),
        "the last line says how many failed:\n{}",
        ran.stderr
    );
}

#[tokio::test]
async fn runs_that_all_ran_exit_0_even_when_skipped() {
    let data = tempfile::tempdir().unwrap();
    let (_work, remote) = git::rust_fixture(&data.path().join("rust"));
    let repository = remote.to_str().unwrap().to_owned();
    // Another run holds the repository (a first run's setup, never ended).
    let url = automaintainer::store::sqlite_url(&data.path().join("automaintainer.db"));
    crate::common::bin::Runner::new("am-setup")
        .env("DATABASE_URL", &url)
        .env("AM_CACHE_DIR", data.path().join("cache"))
        .env_remove("AM_FORGE")
        .input_json(&serde_json::json!({
            "run_id": "holder", "run_dir": data.path().join("holder"), "repository": repository,
        }))
        .run()
        .assert_ok();
    let ran = run_locally(
        data.path(),
        &["--repository", &repository, "--repository", &repository],
    )
    .await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("skipped: another run holds the repository (run holder)"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        ran.stderr.matches("run local-").count(),
        2,
        "{}",
        ran.stderr
    );
    let table = ran.stderr.split(table_header(&ran.stderr)).last().unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.contains(&repository)).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert_eq!(table_row(&ran.stderr, &repository)[1..3], ["skipped", "–"]);
    assert!(data.path().join("holder/repo/.git").exists());
    end_run(&url, "holder");
}

#[tokio::test]
async fn a_bad_repositories_file_is_bad_input_naming_the_file_and_line() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("repos.txt");
    std::fs::write(&file, "# mine\n/srv/a.git\n/srv/b.git /srv/c.git\n").unwrap();
    let ran = run_locally(data.path(), &["--repositories", file.to_str().unwrap()]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let lines: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", ran.stderr);
    assert!(
        lines[0].contains(&format!("repositories file {} line 3", file.display())),
        "{}",
        ran.stderr
    );
    assert!(
        !data.path().join("automaintainer.db").exists(),
        "nothing ran"
    );

    let missing = data.path().join("none.txt");
    let ran = run_locally(data.path(), &["--repositories", missing.to_str().unwrap()]).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&missing.display().to_string()),
        "{}",
        ran.stderr
    );
}
