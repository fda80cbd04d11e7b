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
        state: Some("COMMENTED".into()),
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

/// A conversation in which CodeRabbit reviewed the head commit (parser and binary tests share it).
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

mod binary;
mod local;
mod parser;
