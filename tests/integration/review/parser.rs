//! The CodeRabbit parser: review bodies, inline comments, walkthrough, notices, the conversation.

use super::*;

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

#[test]
fn duplicate_items_that_say_the_concern_was_addressed_are_no_findings() {
    let body = review_body::parse(&fixture("review_body_duplicate_addressed.md"));
    assert_eq!(body.findings, [], "acknowledgements are not findings");
    assert_eq!(body.acknowledged, 2);
    assert!(body.miscounted_sections.is_empty());
    let activity = Activity {
        reviews: vec![review(
            1,
            BOT,
            HEAD,
            &fixture("review_body_duplicate_addressed.md"),
        )],
        ..Activity::default()
    };
    let Assessment::Reviewed(review) = assess(&activity, Some(HEAD)) else {
        panic!("expected a review");
    };
    assert_eq!(review.counts.total, 0);
    assert_eq!(review.counts.actionable, 0);
    assert!(
        !review
            .risk_flags
            .iter()
            .any(|f| f == "earlier comments still unresolved"),
        "{:?}",
        review.risk_flags
    );
    // The open duplicate of the other fixture is still one, with its flag.
    let open = review_body::parse(&fixture("review_body_actionable.md"));
    assert_eq!(open.acknowledged, 0);
    assert!(open
        .findings
        .iter()
        .any(|f| f.section == SectionKind::Duplicate));
}
