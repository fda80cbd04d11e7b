//! Reading LCOV reports, the one format every supported coverage tool writes (cargo llvm-cov,
//! cargo tarpaulin, coverage.py, c8 and nyc).

use std::collections::{BTreeMap, BTreeSet};

/// Line coverage by source file path as the report names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineCoverage {
    /// Per file: the instrumented lines and, among them, the lines that ran.
    pub files: BTreeMap<String, FileLines>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileLines {
    pub instrumented: BTreeSet<u32>,
    pub covered: BTreeSet<u32>,
}

/// Parses the `SF:` / `DA:line,count` records of an LCOV report; other records are ignored.
pub fn parse(report: &str) -> LineCoverage {
    let mut coverage = LineCoverage::default();
    let mut current: Option<String> = None;
    for line in report.lines() {
        let line = line.trim();
        if let Some(path) = line.strip_prefix("SF:") {
            current = Some(path.to_owned());
            coverage.files.entry(path.to_owned()).or_default();
        } else if line == "end_of_record" {
            current = None;
        } else if let (Some(data), Some(path)) = (line.strip_prefix("DA:"), &current) {
            let mut fields = data.split(',');
            let number = fields.next().and_then(|n| n.parse::<u32>().ok());
            let hits = fields.next().and_then(|n| n.parse::<f64>().ok());
            if let (Some(number), Some(hits), Some(file)) =
                (number, hits, coverage.files.get_mut(path))
            {
                file.instrumented.insert(number);
                if hits > 0.0 {
                    file.covered.insert(number);
                }
            }
        }
    }
    coverage
}

impl LineCoverage {
    /// The file a repository-relative path names: the report may hold absolute paths.
    pub fn file(&self, relative: &str) -> Option<&FileLines> {
        self.files.get(relative).or_else(|| {
            self.files
                .iter()
                .find(|(path, _)| {
                    path.strip_suffix(relative)
                        .is_some_and(|prefix| prefix.ends_with('/'))
                })
                .map(|(_, lines)| lines)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_line_records_by_file() {
        let report = "TN:\nSF:/clone/src/lib.rs\nFN:1,add\nDA:1,3\nDA:2,0\nDA:4,1\nend_of_record\nSF:app.py\nDA:1,0\nend_of_record\n";
        let coverage = parse(report);
        let lib = coverage.file("src/lib.rs").expect("found by suffix");
        assert_eq!(lib.instrumented, BTreeSet::from([1, 2, 4]));
        assert_eq!(lib.covered, BTreeSet::from([1, 4]));
        assert!(coverage.file("lib.rs").is_some());
        assert!(
            coverage.file("rc/lib.rs").is_none(),
            "a suffix must start a component"
        );
        assert_eq!(coverage.file("app.py").expect("exact").covered.len(), 0);
    }
}
