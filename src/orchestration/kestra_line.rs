//! The two Kestra lines the flows are written for: 1.3, the long-term-support line (`ForEach`,
//! `pluginDefaults` allowed), and 2.x (`Loop`; `ForEach`, `ForEachItem`, `pluginDefaults` and
//! triggers' `conditions` removed). Which line a server's version belongs to, which files make each line's flow set, and
//! what each line refuses.

use std::path::{Path, PathBuf};

use super::flow::{Flow, FlowTask, FOR_EACH_ITEM_TYPE, FOR_EACH_TYPE, LOOP_TYPE};
use super::flow_check::Problem;
use crate::contract::InputError;
use crate::error::Error;

/// The subdirectory of the flows directory whose files replace (by file name) or add to the
/// common ones for Kestra 2.x.
pub const V2_DIR: &str = "kestra-2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KestraLine {
    /// Kestra 1.x (1.3 is the LTS) and older.
    V1,
    /// Kestra 2.0 and later.
    V2,
}

impl KestraLine {
    pub const ALL: [KestraLine; 2] = [KestraLine::V1, KestraLine::V2];

    /// The line of a server's version as `GET /api/v1/configs` gives it (`1.3.5`, `2.0.0`,
    /// `0.22.0-SNAPSHOT`, `v2.1.0`).
    pub fn of_version(version: &str) -> Result<Self, InputError> {
        let trimmed = version.trim();
        let digits: String = trimmed
            .strip_prefix('v')
            .unwrap_or(trimmed)
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        match digits.parse::<u32>() {
            Ok(major) if major >= 2 => Ok(Self::V2),
            Ok(_) => Ok(Self::V1),
            Err(_) => Err(InputError(format!(
                "kestra version `{trimmed}` does not start with a major version number"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::V1 => "1.3",
            Self::V2 => "2.x",
        }
    }

    /// The flow files of this line's set in `dir`, sorted by file name: every `*.yml`/`*.yaml`
    /// of `dir`, and for 2.x those of `dir/kestra-2` in place of the common ones of the same name.
    pub fn flow_paths(self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        let mut paths = yaml_files(dir)?;
        if self == Self::V2 {
            let own = dir.join(V2_DIR);
            if own.is_dir() {
                for path in yaml_files(&own)? {
                    paths.retain(|p| p.file_name() != path.file_name());
                    paths.push(path);
                }
            }
        }
        paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        if paths.is_empty() {
            return Err(InputError(format!("no flow files (*.yml) in {}", dir.display())).into());
        }
        Ok(paths)
    }

    /// What in `flow` this line's Kestra would refuse or read differently.
    pub fn problems(self, flow: &Flow) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut report = |place: &str, message: String| {
            problems.push(Problem {
                place: place.to_owned(),
                message: format!("{message} (kestra {})", self.name()),
            })
        };
        if self == Self::V2 && !flow.plugin_defaults.is_empty() {
            report(
                "flow",
                "`pluginDefaults` is removed: set the values on each task".to_owned(),
            );
        }
        for trigger in &flow.triggers {
            if self == Self::V2 && !trigger.conditions.is_empty() {
                report(
                    &format!("trigger {}", trigger.id),
                    "`conditions` is removed: use a `when` expression".to_owned(),
                );
            }
        }
        for task in flow.all_tasks() {
            let kind = task.kind.as_str();
            match self {
                Self::V2 if kind == FOR_EACH_TYPE || kind == FOR_EACH_ITEM_TYPE => {
                    report(&task.id, format!("`{kind}` is removed: use `{LOOP_TYPE}`"))
                }
                Self::V1 if kind == LOOP_TYPE => report(
                    &task.id,
                    format!("`{LOOP_TYPE}` does not exist before 2.0: use `{FOR_EACH_TYPE}`"),
                ),
                _ => {}
            }
            // A loop's current item: `taskrun.value` under ForEach, `item.value` under Loop.
            let (wrong, right) = match self {
                Self::V1 => ("item.value", "taskrun.value"),
                Self::V2 => ("taskrun.value", "item.value"),
            };
            if texts(task).iter().any(|t| t.contains(wrong)) {
                report(
                    &task.id,
                    format!("reads `{wrong}`: the loop's item is `{right}`"),
                );
            }
        }
        problems
    }
}

fn texts(task: &FlowTask) -> Vec<String> {
    let mut texts: Vec<String> = task.input_files.values().cloned().collect();
    texts.extend(task.commands.iter().cloned());
    texts.extend(task.env.values().cloned());
    texts.extend(task.run_if.iter().cloned());
    texts.extend(
        task.inputs
            .values()
            .filter_map(|v| serde_yaml::to_string(v).ok()),
    );
    texts
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("read the flows directory {}", dir.display()), e))?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_belongs_to_its_line() {
        for (version, line) in [
            ("1.3.5", KestraLine::V1),
            ("0.22.0-SNAPSHOT", KestraLine::V1),
            ("2.0.0", KestraLine::V2),
            ("v2.1.3", KestraLine::V2),
            ("10.0.0", KestraLine::V2),
        ] {
            assert_eq!(KestraLine::of_version(version).unwrap(), line, "{version}");
        }
        let e = KestraLine::of_version("develop").unwrap_err().to_string();
        assert!(e.contains("kestra version `develop`"), "{e}");
    }

    const LOOPING: &str = r#"
id: f
namespace: n
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [a, b]
    concurrencyLimit: 2
    tasks:
      - id: sub
        type: io.kestra.plugin.core.flow.Subflow
        namespace: n
        flowId: g
        inputs:
          repository: "{{ taskrun.value }}"
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    conditions:
      - type: io.kestra.plugin.core.condition.Weekday
        dayOfWeek: MONDAY
pluginDefaults:
  - type: io.kestra.plugin.scripts.shell.Commands
    values: {}
"#;

    #[test]
    fn each_line_refuses_the_others_constructs() {
        let flow = Flow::parse(LOOPING).unwrap();
        assert!(KestraLine::V1.problems(&flow).is_empty());
        let v2: Vec<String> = KestraLine::V2
            .problems(&flow)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(v2.len(), 4, "{v2:#?}");
        assert!(
            v2[0].starts_with("flow: `pluginDefaults` is removed"),
            "{v2:#?}"
        );
        assert!(v2[1].starts_with("trigger daily: `conditions` is removed"));
        assert!(v2[2].contains("`io.kestra.plugin.core.flow.ForEach` is removed"));
        assert!(v2[3].contains("reads `taskrun.value`: the loop's item is `item.value`"));

        let looped = LOOPING
            .replace("flow.ForEach", "flow.Loop")
            .replace("taskrun.value", "item.value");
        let flow = Flow::parse(&looped).unwrap();
        let v1: Vec<String> = KestraLine::V1
            .problems(&flow)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(v1.len(), 2, "{v1:#?}");
        assert!(v1[0].contains("does not exist before 2.0"), "{v1:#?}");
    }

    #[test]
    fn the_2x_set_replaces_common_files_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yml"), "").unwrap();
        std::fs::write(dir.path().join("fleet.yml"), "").unwrap();
        std::fs::create_dir(dir.path().join(V2_DIR)).unwrap();
        std::fs::write(dir.path().join(V2_DIR).join("fleet.yml"), "").unwrap();
        let names = |line: KestraLine| -> Vec<String> {
            line.flow_paths(dir.path())
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(names(KestraLine::V1), ["a.yml", "fleet.yml"]);
        assert_eq!(names(KestraLine::V2), ["a.yml", "kestra-2/fleet.yml"]);
    }
}
