//! The task-binary contract, checked on every binary the package registers: bad input exits 2
//! with one line naming the problem, never a panic; secrets never appear in what it prints.

use serde_json::{json, Value};

use crate::common::bin::Runner;

const PLANTED: &str = "planted-secret-4c1d9e";

fn binaries() -> Vec<&'static str> {
    automaintainer::schemas::all()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

fn assert_bad_input(name: &str, case: &str, ran: &crate::common::bin::Ran, needle: &str) {
    assert_eq!(
        ran.code, 2,
        "{name} {case}: exit {}\n{}",
        ran.code, ran.stderr
    );
    let lines: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{name} {case}: expected one line, got:\n{}",
        ran.stderr
    );
    assert!(
        lines[0].contains(needle),
        "{name} {case}: {:?} lacks {needle:?}",
        lines[0]
    );
    assert!(!ran.stderr.contains("panicked"), "{name} {case}: panic");
    assert!(
        ran.stdout.is_empty(),
        "{name} {case}: stdout {:?}",
        ran.stdout
    );
    for output in [&ran.stdout, &ran.stderr] {
        assert!(
            !output.contains(PLANTED),
            "{name} {case}: the secret leaked"
        );
    }
}

/// The first required property of the input schema, and a value of the wrong type for it.
fn wrongly_typed(schema: &Value) -> (String, Value) {
    let input = &schema["input"];
    let field = input["required"][0]
        .as_str()
        .expect("inputs have a required field")
        .to_owned();
    let expected = &input["properties"][&field]["type"];
    let wrong = if expected == "array" {
        json!({"not": "an array"})
    } else {
        json!([[1]])
    };
    (field, wrong)
}

#[test]
fn every_task_binary_is_registered() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let declared: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \"am-"))
        .map(|rest| rest.trim_end_matches('"'))
        .collect();
    assert!(!declared.is_empty());
    let registered = binaries();
    for name in declared {
        let name = format!("am-{name}");
        assert!(
            registered.contains(&name.as_str()),
            "{name} is declared but not in schemas::all()"
        );
    }
}

#[test]
fn bad_input_exits_2_with_one_line_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    for name in binaries() {
        let schema: Value =
            serde_json::from_str(&Runner::new(name).arg("--schema").run().assert_ok().stdout)
                .unwrap();
        let (field, wrong) = wrongly_typed(&schema);
        let cases: Vec<(&str, Runner, String)> = vec![
            (
                "malformed",
                Runner::new(name).input_text("{\"run_id\": "),
                "malformed JSON".into(),
            ),
            (
                "empty",
                Runner::new(name).input_text(""),
                "input is empty".into(),
            ),
            (
                "unknown field",
                Runner::new(name).input_text("{\"zz_unknown\": 1}"),
                "unknown field `zz_unknown`".into(),
            ),
            (
                "wrong type",
                Runner::new(name).input_json(&json!({ field.clone(): wrong })),
                format!("field `{field}`"),
            ),
            (
                "missing file",
                Runner::new(name)
                    .arg("--input")
                    .arg(dir.path().join("nope.json")),
                "cannot read input file".into(),
            ),
        ];
        for (case, runner, needle) in cases {
            let ran = runner
                .env("GITHUB_TOKEN", PLANTED)
                .env("OPENAI_API_KEY", PLANTED)
                .run();
            assert_bad_input(name, case, &ran, &needle);
        }
    }
}

#[test]
fn inputs_that_never_end_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("input.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for name in binaries() {
        // Without a writer a FIFO blocks its reader for ever; /dev/zero never ends.
        for (case, input) in [("fifo", fifo.as_path()), ("device", "/dev/zero".as_ref())] {
            let ran = Runner::new(name).arg("--input").arg(input).run();
            assert_bad_input(name, case, &ran, "not a regular file");
        }
    }
}

#[test]
fn a_closed_stdout_is_no_panic() {
    for name in binaries() {
        // `am-x --schema | head -c 0`: the reader is gone before the binary writes.
        let mut child = std::process::Command::new(crate::common::bin::path(name))
            .arg("--schema")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn schema_flag_prints_input_and_output_schemas() {
    for name in binaries() {
        let ran = Runner::new(name).arg("--schema").run();
        ran.assert_ok();
        let schema: Value = serde_json::from_str(&ran.stdout).unwrap();
        assert_eq!(schema["task"], name);
        assert_eq!(schema["input"]["type"], "object", "{name}");
        assert_eq!(
            schema["input"]["additionalProperties"], false,
            "{name}: unknown fields must be denied"
        );
        assert!(schema["output"].is_object(), "{name}");
    }
}

#[test]
fn schemas_directory_is_current() {
    let stale = automaintainer::schemas::stale(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .as_path(),
    )
    .unwrap();
    assert!(
        stale.is_empty(),
        "stale schemas (run `cargo run -- schemas`): {stale:?}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let ran = Runner::new("automaintainer").arg("no-such-command").run();
    assert_eq!(ran.code, 2, "{}", ran.stderr);
}

/// The fuzz target's check (`fuzz/fuzz_targets/decode_input.rs`) on the stable compiler, over its
/// kept corpus and every truncation and one-byte change of each file: every input type decodes
/// or answers one line of bad input, never panics. (The coverage-guided run is `scripts/fuzz`.)
#[test]
fn the_fuzz_corpus_and_its_mutations_decode_or_answer_one_line() {
    use automaintainer::contract::{parse_input, Validate};
    use automaintainer::phases::{
        cleanup, context, evaluate, implement, open_pr, persist, reflect, review, select, setup,
    };
    fn decode<T: serde::de::DeserializeOwned + Validate>(text: &str) {
        if let Err(e) = parse_input::<T>(text) {
            assert!(
                !e.0.contains('\n'),
                "bad input must be one line: {e} for {text:?}"
            );
        }
    }
    fn all(bytes: &[u8]) {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return;
        };
        decode::<setup::SetupInput>(text);
        decode::<context::ContextInput>(text);
        decode::<select::SelectInput>(text);
        decode::<implement::ImplementInput>(text);
        decode::<open_pr::OpenPrInput>(text);
        decode::<review::ReviewInput>(text);
        decode::<evaluate::EvaluateInput>(text);
        decode::<persist::PersistInput>(text);
        decode::<reflect::ReflectInput>(text);
        decode::<cleanup::CleanupInput>(text);
    }
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode_input");
    let mut files = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        files += 1;
        all(&bytes);
        for end in 0..bytes.len() {
            all(&bytes[..end]);
        }
        for at in 0..bytes.len() {
            for replacement in [b'"', b'{', b'}', b'\\', b'9', b'-', b'\n', 0xff] {
                let mut changed = bytes.clone();
                changed[at] = replacement;
                all(&changed);
            }
        }
    }
    assert!(files >= 5, "the corpus is kept: {files} file(s)");
}
