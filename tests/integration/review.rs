//! am-review: the CodeRabbit parser on realistic bodies and comments, the wait for a review
//! through a GitHub stub (paginated), and the local review of fixture diffs.

use automaintainer::artifacts::{FindingCategory, ReviewStatus, Severity};
use automaintainer::review::coderabbit::activity::{
    Activity, Author, IssueComment, PrReview, ReviewComment,
};
use automaintainer::review::coderabbit::notice::{
    is_command, is_command_reply, notice_in, NoticeKind,
};
use automaintainer::review::coderabbit::review_body::{self, SectionKind};
use automaintainer::review::coderabbit::{assess, inline, walkthrough, Assessment};
use serde_json::{json, Value};
use wiremock::matchers::{query_param, query_param_is_missing};
use wiremock::{MockServer, ResponseTemplate};

use crate::common::bin::{Ran, Runner};
use crate::common::github::{authed, repo_path, TOKEN};
use crate::common::pr_run::{PrRun, BRANCH};

const HEAD: &str = "9f3a7e5b21c4d6e8f0a1b2c3d4e5f60718293a4b";
const BOT: &str = "coderabbitai[bot]";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/coderabbit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn author(login: &str) -> Option<Author> {
    Some(Author {
        login: login.into(),
    })
}

fn review(id: u64, login: &str, commit: &str, body: &str) -> PrReview {
    PrReview {
        id,
        user: author(login),
        body: Some(body.into()),
        commit_id: Some(commit.into()),
        submitted_at: Some("2026-11-24T10:00:00Z".into()),
    }
}

fn inline_comment(
    id: u64,
    review_id: u64,
    path: &str,
    lines: (u32, u32),
    body: &str,
) -> ReviewComment {
    ReviewComment {
        id,
        pull_request_review_id: Some(review_id),
        user: author(BOT),
        body: body.into(),
        path: Some(path.into()),
        start_line: (lines.0 != lines.1).then_some(lines.0),
        line: Some(lines.1),
        commit_id: Some(HEAD.into()),
        ..ReviewComment::default()
    }
}

fn comment(id: u64, login: &str, updated: &str, body: &str) -> IssueComment {
    IssueComment {
        id,
        user: author(login),
        body: body.into(),
        created_at: Some("2026-11-24T09:00:00Z".into()),
        updated_at: Some(updated.into()),
    }
}

// ---- the review body ------------------------------------------------------------------------

#[test]
fn review_body_with_every_section() {
    let body = review_body::parse(&fixture("review_body_actionable.md"));
    assert_eq!(body.actionable_posted, Some(2));
    assert!(
        body.miscounted_sections.is_empty(),
        "{:?}",
        body.miscounted_sections
    );
    let kinds: Vec<SectionKind> = body.findings.iter().map(|f| f.section).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::OutsideDiff,
            SectionKind::Duplicate,
            SectionKind::Nitpick,
            SectionKind::Nitpick,
            SectionKind::Additional
        ]
    );

    let outside = &body.findings[0];
    assert_eq!(outside.path.as_deref(), Some("src/server.rs"));
    assert_eq!((outside.line_start, outside.line_end), (Some(88), Some(97)));
    assert_eq!(
        outside.title,
        "Handle the shutdown signal error instead of ignoring it"
    );
    assert!(
        outside
            .body
            .starts_with("`tokio::signal::ctrl_c().await` returns a `Result`"),
        "{}",
        outside.body
    );
    assert!(outside
        .suggestion
        .as_deref()
        .unwrap()
        .contains("+        .map_err(ServerError::Signal)?;"));

    let duplicate = &body.findings[1];
    assert_eq!(duplicate.path.as_deref(), Some("src/config.rs"));
    assert_eq!(
        (duplicate.line_start, duplicate.line_end),
        (Some(41), Some(44))
    );
    assert_eq!(duplicate.severity, Severity::Critical);
    assert_eq!(duplicate.category, FindingCategory::PotentialIssue);
    assert!(
        !duplicate.body.contains("Potential issue"),
        "the badge is not prose: {}",
        duplicate.body
    );

    let single_line = &body.findings[3];
    assert_eq!(single_line.path.as_deref(), Some("tests/config_test.rs"));
    assert_eq!(
        (single_line.line_start, single_line.line_end),
        (Some(5), Some(5))
    );
    assert_eq!(single_line.category, FindingCategory::Nitpick);
    assert_eq!(single_line.severity, Severity::Trivial);

    let additional = &body.findings[4];
    assert_eq!(additional.title, "LGTM!");
    assert_eq!(additional.severity, Severity::Info);
}

#[test]
fn review_bodies_with_zero_findings_in_each_form() {
    let none = review_body::parse(&fixture("review_body_no_actionable.md"));
    assert_eq!(none.actionable_posted, Some(0));
    assert!(none.findings.is_empty());

    let nitpick_only = review_body::parse(&fixture("review_body_zero_with_nitpick.md"));
    assert_eq!(nitpick_only.actionable_posted, Some(0));
    assert_eq!(nitpick_only.findings.len(), 1);
    assert_eq!(nitpick_only.findings[0].section, SectionKind::Nitpick);
    assert_eq!(
        (
            nitpick_only.findings[0].line_start,
            nitpick_only.findings[0].line_end
        ),
        (Some(3), Some(3))
    );

    let details_only = review_body::parse(&fixture("review_body_details_only.md"));
    assert_eq!(details_only.actionable_posted, None, "absent, not zero");
    assert!(details_only.findings.is_empty());

    let empty = review_body::parse("");
    assert_eq!(empty.actionable_posted, None);
    assert!(empty.findings.is_empty());
}

// ---- inline comments ------------------------------------------------------------------------

#[test]
fn inline_comment_with_badges_diff_and_committable_suggestion() {
    let c = inline::parse(&fixture("inline_potential_issue_major.md"));
    assert_eq!(c.category, FindingCategory::PotentialIssue);
    assert_eq!(c.severity, Severity::Major);
    assert!(c.severity_stated);
    assert_eq!(c.title, "Avoid panicking on a malformed port");
    assert!(
        c.body
            .starts_with("`parse_port` calls `unwrap()` on user input"),
        "{}",
        c.body
    );
    for noise in [
        "IMPORTANT",
        "Prompt for AI",
        "fingerprinting",
        "Committable",
    ] {
        assert!(!c.body.contains(noise), "{noise} in {}", c.body);
    }
    assert!(c
        .proposed_diff
        .as_deref()
        .unwrap()
        .starts_with("-    let port = value.parse::<u16>().unwrap();"));
    let suggestion = c.committable_suggestion.unwrap();
    assert!(
        suggestion.starts_with("    let port = value"),
        "{suggestion}"
    );
    assert!(!suggestion.contains("-    let port"));
}

#[test]
fn inline_comments_in_other_categories_and_the_older_format() {
    let legacy = inline::parse(&fixture("inline_refactor_legacy.md"));
    assert_eq!(legacy.category, FindingCategory::Refactor);
    assert!(!legacy.severity_stated);
    assert_eq!(legacy.title, "Extract the retry loop into a helper");
    assert!(legacy.proposed_diff.unwrap().contains("with_retries(3"));
    assert_eq!(legacy.committable_suggestion, None);

    let security = inline::parse(&fixture("inline_security_critical.md"));
    assert_eq!(
        (security.category, security.severity),
        (FindingCategory::Security, Severity::Critical)
    );
    assert_eq!(security.title, "The token is written into the remote URL");

    let nitpick = inline::parse(&fixture("inline_nitpick_trivial.md"));
    assert_eq!(
        (nitpick.category, nitpick.severity),
        (FindingCategory::Nitpick, Severity::Trivial)
    );
    assert_eq!(nitpick.title, "Typo in the log message: \"recieved\"");
    assert_eq!(
        nitpick.committable_suggestion.as_deref(),
        Some("    tracing::info!(\"received {count} events\");")
    );
}

// ---- walkthrough, notices, commands ---------------------------------------------------------

#[test]
fn walkthrough_summary_and_effort() {
    let final_version = walkthrough::parse(&fixture("walkthrough_final.md"));
    assert!(final_version
        .summary
        .as_deref()
        .unwrap()
        .starts_with("Configuration loading now treats an empty"));
    let effort = final_version.effort.unwrap();
    assert_eq!(
        (effort.level, effort.label.as_deref(), effort.minutes),
        (3, Some("Moderate"), Some(20))
    );
    assert_eq!(effort.complexity_score(), 60.0);

    let legacy = walkthrough::parse(&fixture("walkthrough_legacy_effort.md"));
    let effort = legacy.effort.unwrap();
    assert_eq!((effort.level, effort.minutes), (4, Some(60)));

    let initial = walkthrough::parse(&fixture("walkthrough_initial.md"));
    assert_eq!((initial.summary, initial.effort), (None, None));
    assert!(walkthrough::is_walkthrough(&fixture(
        "walkthrough_initial.md"
    )));
}

#[test]
fn every_notice_is_recognised_with_its_reason() {
    let cases = [
        (
            "notice_rate_limited.md",
            NoticeKind::RateLimited,
            "@octo-maintainer has exceeded the limit",
        ),
        (
            "notice_paused.md",
            NoticeKind::Paused,
            "Use the following commands to manage reviews:",
        ),
        (
            "notice_skipped.md",
            NoticeKind::Skipped,
            "Auto reviews are disabled on base/target branches",
        ),
        (
            "notice_failed.md",
            NoticeKind::Failed,
            "The head commit changed during the review",
        ),
    ];
    for (name, kind, message) in cases {
        let notice = notice_in(&fixture(name)).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(notice.kind, kind, "{name}");
        assert!(
            notice.message.starts_with(message),
            "{name}: {}",
            notice.message
        );
    }
    assert!(notice_in(&fixture("notice_rate_limited.md"))
        .unwrap()
        .message
        .contains("14 minutes and 52 seconds"));
    for name in [
        "walkthrough_final.md",
        "walkthrough_initial.md",
        "review_body_actionable.md",
        "reply_review_triggered.md",
    ] {
        assert_eq!(notice_in(&fixture(name)), None, "{name} is not a notice");
    }
}

#[test]
fn commands_to_the_bot_and_its_replies_are_not_feedback() {
    assert!(is_command(&fixture("command_review.md")));
    assert!(!is_command(&fixture("walkthrough_final.md")));
    assert!(is_command_reply(&fixture("reply_review_triggered.md")));
    assert!(!is_command_reply(&fixture(
        "inline_potential_issue_major.md"
    )));
}

// ---- the conversation as a whole ------------------------------------------------------------

fn reviewed_activity() -> Activity {
    Activity {
        reviews: vec![
            review(
                1,
                BOT,
                "0ld0ld0ld",
                &fixture("review_body_zero_with_nitpick.md"),
            ),
            review(2, "octo-maintainer", HEAD, "Looks fine to me."),
            review(3, BOT, HEAD, &fixture("review_body_actionable.md")),
        ],
        review_comments: vec![
            inline_comment(
                10,
                3,
                "src/config.rs",
                (27, 29),
                &fixture("inline_potential_issue_major.md"),
            ),
            inline_comment(
                11,
                3,
                "src/git.rs",
                (14, 14),
                &fixture("inline_security_critical.md"),
            ),
            inline_comment(
                12,
                3,
                "src/log.rs",
                (8, 8),
                &fixture("inline_nitpick_trivial.md"),
            ),
            // From the review of an older commit: not this commit's finding.
            inline_comment(
                13,
                1,
                "src/lib.rs",
                (3, 3),
                &fixture("inline_refactor_legacy.md"),
            ),
            // The bot answering in a thread, and a human comment: not findings.
            ReviewComment {
                in_reply_to_id: Some(10),
                ..inline_comment(14, 3, "src/config.rs", (27, 29), "Thanks, resolved.")
            },
            ReviewComment {
                user: author("octo-maintainer"),
                ..inline_comment(15, 3, "src/config.rs", (1, 1), "Why?")
            },
        ],
        issue_comments: vec![
            comment(
                20,
                BOT,
                "2026-11-24T08:00:00Z",
                &fixture("notice_rate_limited.md"),
            ),
            comment(
                21,
                BOT,
                "2026-11-24T10:05:00Z",
                &fixture("walkthrough_final.md"),
            ),
            comment(
                22,
                BOT,
                "2026-11-24T09:00:00Z",
                &fixture("walkthrough_legacy_effort.md"),
            ),
            comment(
                23,
                "octo-maintainer",
                "2026-11-24T09:30:00Z",
                &fixture("command_review.md"),
            ),
            comment(
                24,
                BOT,
                "2026-11-24T09:31:00Z",
                &fixture("reply_review_triggered.md"),
            ),
        ],
    }
}

#[test]
fn a_full_review_of_the_head_commit() {
    let Assessment::Reviewed(review) = assess(&reviewed_activity(), Some(HEAD)) else {
        panic!("expected a review");
    };
    assert_eq!(review.status, ReviewStatus::Reviewed);
    assert_eq!(review.findings.len(), 8, "{:#?}", review.findings);
    let potential = &review.findings[0];
    assert_eq!(potential.path.as_deref(), Some("src/config.rs"));
    assert_eq!(
        (potential.line_start, potential.line_end),
        (Some(27), Some(29))
    );
    assert!(potential
        .suggestion
        .as_deref()
        .unwrap()
        .contains("ConfigError::Port"));
    assert_eq!(review.counts.total, 8);
    assert_eq!(
        review.counts.actionable, 4,
        "potential issue, security, outside diff, duplicate"
    );
    assert_eq!(review.counts.nitpicks, 3);
    assert_eq!(review.counts.security, 1);
    // The walkthrough as last edited (10:05), not the older one.
    assert_eq!(review.complexity_score, Some(60.0));
    assert!(review
        .summary
        .as_deref()
        .unwrap()
        .starts_with("Configuration loading"));
    for flag in [
        "critical finding",
        "security finding",
        "comments outside the diff range",
        "earlier comments still unresolved",
    ] {
        assert!(
            review.risk_flags.iter().any(|f| f == flag),
            "{flag} missing from {:?}",
            review.risk_flags
        );
    }
}

#[test]
fn zero_findings_is_a_clean_review_in_each_form() {
    for body in [
        "review_body_no_actionable.md",
        "review_body_details_only.md",
    ] {
        let activity = Activity {
            reviews: vec![review(1, "coderabbitai", HEAD, &fixture(body))],
            ..Activity::default()
        };
        let Assessment::Reviewed(review) = assess(&activity, Some(HEAD)) else {
            panic!("{body}: expected a review");
        };
        assert!(review.findings.is_empty(), "{body}");
        assert_eq!(review.counts.total, 0);
        assert!(review.risk_flags.is_empty());
    }
}

#[test]
fn notices_are_not_reviews_and_nothing_yet_is_pending() {
    for (name, kind) in [
        ("notice_rate_limited.md", NoticeKind::RateLimited),
        ("notice_paused.md", NoticeKind::Paused),
        ("notice_skipped.md", NoticeKind::Skipped),
        ("notice_failed.md", NoticeKind::Failed),
    ] {
        let activity = Activity {
            issue_comments: vec![
                comment(
                    1,
                    BOT,
                    "2026-11-24T08:00:00Z",
                    &fixture("walkthrough_initial.md"),
                ),
                comment(2, BOT, "2026-11-24T09:00:00Z", &fixture(name)),
            ],
            ..Activity::default()
        };
        match assess(&activity, Some(HEAD)) {
            Assessment::NotReviewed(notice) => assert_eq!(notice.kind, kind, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let waiting = Activity {
        reviews: vec![review(
            1,
            BOT,
            "0ld0ld0ld",
            &fixture("review_body_actionable.md"),
        )],
        issue_comments: vec![
            comment(
                1,
                BOT,
                "2026-11-24T08:00:00Z",
                &fixture("walkthrough_initial.md"),
            ),
            comment(
                2,
                "octo-maintainer",
                "2026-11-24T08:01:00Z",
                &fixture("command_review.md"),
            ),
            comment(
                3,
                BOT,
                "2026-11-24T08:02:00Z",
                &fixture("reply_review_triggered.md"),
            ),
        ],
        ..Activity::default()
    };
    assert_eq!(assess(&waiting, Some(HEAD)), Assessment::Pending);
}

// ---- am-review as a binary ------------------------------------------------------------------

fn write_github_pr(run: &PrRun, number: u64, head: &str) {
    let pr = json!({
        "action": "created", "forge": "github", "repository": "octo/hello", "number": number,
        "url": format!("https://github.com/octo/hello/pull/{number}"), "branch": BRANCH,
        "base_branch": "main", "head_commit": head, "title": "Handle an empty config file",
        "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
}

async fn am_review(server: &MockServer, input: Value) -> Ran {
    let uri = server.uri();
    tokio::task::spawn_blocking(move || {
        Runner::new("am-review")
            .env("GITHUB_TOKEN", TOKEN)
            .env("AM_GITHUB_API_URL", uri)
            .env_remove("AM_REVIEW")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap()
}

async fn mount_list(server: &MockServer, route: &str, items: Value) {
    authed("GET", &repo_path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(items))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_reads_coderabbit_across_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, HEAD);
    let activity = reviewed_activity();
    let server = MockServer::start().await;
    // Reviews come in two pages: the bot's review of the head commit is on the second.
    let next = format!(
        "{}{}?per_page=100&page=2",
        server.uri(),
        repo_path("/pulls/7/reviews")
    );
    authed("GET", &repo_path("/pulls/7/reviews"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", format!("<{next}>; rel=\"next\"").as_str())
                .set_body_json(json!(&activity.reviews[..2])),
        )
        .mount(&server)
        .await;
    authed("GET", &repo_path("/pulls/7/reviews"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(&activity.reviews[2..])))
        .expect(1)
        .mount(&server)
        .await;
    mount_list(
        &server,
        "/pulls/7/comments",
        json!(activity.review_comments),
    )
    .await;
    mount_list(
        &server,
        "/issues/7/comments",
        json!(activity.issue_comments),
    )
    .await;

    let ran = am_review(
        &server,
        json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 5}),
    )
    .await;
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(outputs["source"], "coderabbit");
    assert_eq!(outputs["status"], "reviewed");
    assert_eq!(outputs["counts"]["total"], 8);
    let review = run.read("review.json");
    assert_eq!(review["complexity_score"], 60.0);
    assert_eq!(
        review["findings"][0]["title"],
        "Avoid panicking on a malformed port"
    );
    assert_eq!(ran.metric("review_findings").unwrap()["value"], 8.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_waits_until_the_head_commit_is_reviewed() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, HEAD);
    let server = MockServer::start().await;
    // The first look finds only the review of an older commit; the second, the head's.
    authed("GET", &repo_path("/pulls/7/reviews"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([review(
            1,
            BOT,
            "0ld0ld0ld",
            &fixture("review_body_actionable.md")
        )])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_list(
        &server,
        "/pulls/7/reviews",
        json!([review(
            2,
            BOT,
            HEAD,
            &fixture("review_body_no_actionable.md")
        )]),
    )
    .await;
    mount_list(&server, "/pulls/7/comments", json!([])).await;
    mount_list(
        &server,
        "/issues/7/comments",
        json!([comment(
            1,
            BOT,
            "2026-11-24T09:00:00Z",
            &fixture("walkthrough_initial.md")
        )]),
    )
    .await;
    let input = json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 30, "poll_interval_secs": 1});
    let ran = am_review(&server, input).await;
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(
        (review["source"].as_str(), review["status"].as_str()),
        (Some("coderabbit"), Some("reviewed"))
    );
    assert_eq!(
        review["findings"],
        json!([]),
        "the old commit's findings are not this one's"
    );
    assert_eq!(github_requests(&server, "/pulls/7/reviews").await, 2);
}

async fn github_requests(server: &MockServer, route: &str) -> usize {
    crate::common::github::requests(server, "GET", &repo_path(route))
        .await
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_reports_a_rate_limit_notice_as_not_reviewed() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, HEAD);
    let server = MockServer::start().await;
    mount_list(&server, "/pulls/7/reviews", json!([])).await;
    mount_list(&server, "/pulls/7/comments", json!([])).await;
    mount_list(
        &server,
        "/issues/7/comments",
        json!([comment(
            1,
            BOT,
            "2026-11-24T09:00:00Z",
            &fixture("notice_rate_limited.md")
        )]),
    )
    .await;
    let ran = am_review(
        &server,
        json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 60}),
    )
    .await;
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "coderabbit");
    assert_eq!(review["status"], "not_reviewed");
    assert!(review["notice"]
        .as_str()
        .unwrap()
        .starts_with("CodeRabbit: rate limited: @octo-maintainer has exceeded"));
    assert_eq!(review["findings"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn am_review_falls_back_to_the_local_review_when_coderabbit_is_silent() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    write_github_pr(&run, 7, &run.head_commit);
    let server = MockServer::start().await;
    mount_list(&server, "/pulls/7/reviews", json!([])).await;
    mount_list(&server, "/pulls/7/comments", json!([])).await;
    mount_list(&server, "/issues/7/comments", json!([])).await;
    let input =
        json!({"run_id": "run-1", "run_dir": run.run_dir, "wait_secs": 0, "linters": false});
    let ran = am_review(&server, input).await;
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "local");
    assert_eq!(review["status"], "reviewed");
    assert!(
        review["summary"]
            .as_str()
            .unwrap()
            .contains("CodeRabbit gave no review"),
        "{review}"
    );
}

// ---- the local review -----------------------------------------------------------------------

/// A change with one of each finding the local review knows, at known lines.
fn change_with_known_findings() -> Vec<(&'static str, String)> {
    let long_body: String = (0..64).map(|i| format!("    total += {i};\n")).collect();
    vec![
        (
            "src/config.rs",
            format!(
                "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {{\n    // TODO: read the port from the environment too\n    let port = text.trim().parse().ok();\n    return port;\n}}\n\npub fn tally() -> u32 {{\n    let mut total = 0;\n{long_body}    total\n}}\n\npub fn classify(v: &[Option<u32>]) -> u32 {{\n    for x in v {{\n        if let Some(n) = x {{\n            if *n > 1 {{\n                while *n > 2 {{\n                    if *n > 3 {{\n                        return 1;\n                    }}\n                }}\n            }}\n        }}\n    }}\n    0\n}}\n"
            ),
        ),
        ("src/keys.rs", format!("pub const DEPLOY_KEY: &str = \"ghp_{}\";\n", "Ab1".repeat(12))),
    ]
}

#[test]
fn the_local_review_finds_what_the_fixture_diff_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let files = change_with_known_findings();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let run = PrRun::with_change(tmp.path(), &files);
    let pr = json!({
        "action": "created", "forge": "local", "repository": run.remote, "number": 1,
        "branch": BRANCH, "base_branch": "main", "head_commit": run.head_commit,
        "title": "t", "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
    let ran = Runner::new("am-review")
        .input_json(&json!({"run_id": "run-1", "run_dir": run.run_dir}))
        .run();
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "local");
    let findings = review["findings"].as_array().unwrap();
    let find = |needle: &str| {
        findings
            .iter()
            .find(|f| f["title"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no finding with {needle}: {findings:#?}"))
    };
    let todo = find("New TODO");
    assert_eq!(
        (todo["path"].as_str(), todo["line_start"].as_u64()),
        (Some("src/config.rs"), Some(3))
    );
    let secret = find("Possible secret");
    assert_eq!(
        (secret["path"].as_str(), secret["line_start"].as_u64()),
        (Some("src/keys.rs"), Some(1))
    );
    assert_eq!(secret["severity"], "critical");
    let long = find("`tally` is very long");
    assert_eq!(long["line_start"], 8);
    let nested = find("`classify` is deeply nested");
    assert_eq!(nested["category"], "refactor");
    let untested = find("New code without tests in src/config.rs");
    assert_eq!(untested["category"], "testing");
    let clippy = find("clippy::needless_return");
    assert_eq!(
        (clippy["path"].as_str(), clippy["line_start"].as_u64()),
        (Some("src/config.rs"), Some(5))
    );
    assert_eq!(review["counts"]["security"], 1);
    assert!(review["risk_flags"]
        .as_array()
        .unwrap()
        .contains(&json!("critical finding")));
    assert!(!std::fs::read_to_string(run.run_dir.join("review.json"))
        .unwrap()
        .contains("ghp_Ab1"));
}

#[test]
fn a_tested_clean_change_has_no_local_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::with_change(
        tmp.path(),
        &[
            ("src/config.rs", "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    text.trim().parse().ok()\n}\n\n/// The default port.\npub fn default_port() -> u16 {\n    8080\n}\n"),
            ("tests/config.rs", "#[test]\nfn default_port_is_8080() {\n    assert_eq!(fixture::config::default_port(), 8080);\n}\n"),
        ],
    );
    let pr = json!({
        "action": "dry_run", "forge": "github", "repository": "octo/hello",
        "branch": BRANCH, "base_branch": "main", "head_commit": run.head_commit,
        "title": "t", "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
    let ran = Runner::new("am-review")
        .input_json(&json!({"run_id": "run-1", "run_dir": run.run_dir, "linters": false}))
        .run();
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "local");
    assert_eq!(review["findings"], json!([]), "{review}");
}

#[test]
fn no_pull_request_means_nothing_to_review() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let pr = json!({
        "action": "skipped_closed", "forge": "github", "repository": "octo/hello", "number": 5,
        "branch": BRANCH, "base_branch": "main", "title": "t", "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
    let ran = Runner::new("am-review")
        .input_json(&json!({"run_id": "run-1", "run_dir": run.run_dir}))
        .run();
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
}
