//! What the doctor found: checks in sections, each ok, a warning or a problem, the exit code
//! they add up to, and the text a terminal shows.

use std::fmt::Write as _;

use serde::Serialize;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    /// Something optional is missing: said, with what is lost; the defaults still run.
    Warning,
    /// Something the defaults (or an explicitly asked check) need is missing or broken.
    Problem,
}

/// Which part of the machine a check is about; a problem in each exits with its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Tools,
    Store,
    Model,
    Github,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Self::Tools => "tools",
            Self::Store => "store",
            Self::Model => "model",
            Self::Github => "GitHub",
        }
    }

    /// The exit code when this section has a problem: 3 a tool the defaults need, 4 the store,
    /// 5 the model, 6 GitHub (2 stays bad input, 1 any other failure).
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Tools => 3,
            Self::Store => 4,
            Self::Model => 5,
            Self::Github => 6,
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub section: Section,
    pub name: String,
    pub level: Level,
    /// The version, the store's location, the model, ... or `missing`.
    pub status: String,
    /// What it is used for.
    pub used_for: String,
    /// What the user loses without it (or how to fix it), when it is not ok.
    pub hint: Option<String>,
}

/// Everything the doctor found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// 0 when the embedded defaults can run (and every asked check passed), else the code of the
    /// first section with a problem.
    pub fn exit_code(&self) -> u8 {
        self.checks
            .iter()
            .filter(|c| c.level == Level::Problem)
            .map(|c| c.section)
            .min()
            .map_or(0, Section::exit_code)
    }

    /// The report for a terminal: one line per check, its hint under it, a verdict at the end.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut section = None;
        let width = self.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for check in &self.checks {
            if section != Some(check.section) {
                section = Some(check.section);
                let _ = writeln!(out, "\n{}:", check.section.title());
            }
            let mark = match check.level {
                Level::Ok => "ok  ",
                Level::Warning => "warn",
                Level::Problem => "FAIL",
            };
            let _ = writeln!(
                out,
                "  [{mark}] {:width$}  {}  ({})",
                check.name, check.status, check.used_for
            );
            if let Some(hint) = &check.hint {
                let _ = writeln!(out, "         {:width$}  → {hint}", "");
            }
        }
        let code = self.exit_code();
        let verdict = match code {
            0 => "the embedded defaults can run (`automaintainer run`)".to_owned(),
            3 => "a tool the embedded defaults need is missing (see FAIL above)".to_owned(),
            4 => "the store cannot be used (see FAIL above)".to_owned(),
            5 => "the model check failed (see FAIL above)".to_owned(),
            _ => "the GitHub check failed (see FAIL above)".to_owned(),
        };
        let _ = writeln!(out, "\n{verdict}; exit {code}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(section: Section, level: Level) -> Check {
        Check {
            section,
            name: "x".into(),
            level,
            status: "s".into(),
            used_for: "u".into(),
            hint: None,
        }
    }

    #[test]
    fn the_first_section_with_a_problem_decides_the_exit_code() {
        let mut report = Report::default();
        report.checks.push(check(Section::Tools, Level::Warning));
        assert_eq!(report.exit_code(), 0);
        report.checks.push(check(Section::Github, Level::Problem));
        assert_eq!(report.exit_code(), 6);
        report.checks.push(check(Section::Store, Level::Problem));
        assert_eq!(report.exit_code(), 4);
        assert!(report.render().contains("exit 4"));
    }
}
