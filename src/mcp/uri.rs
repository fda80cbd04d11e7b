//! The resource addresses the MCP server answers: `automaintainer://repositories`, and per
//! repository `automaintainer://repository/{repository}/learnings`, `.../runs` and
//! `.../pull-requests`, the repository's identity percent-encoded into one path segment
//! (`github.com%2Fo%2Fr`).

/// Where every address starts.
pub const SCHEME: &str = "automaintainer://";

/// What a repository's resource holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Learnings,
    Runs,
    PullRequests,
}

impl Part {
    pub const ALL: [Self; 3] = [Self::Learnings, Self::Runs, Self::PullRequests];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learnings => "learnings",
            Self::Runs => "runs",
            Self::PullRequests => "pull-requests",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// A resource of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceUri {
    /// Every repository the store knows.
    Repositories,
    /// One part of one repository's memory.
    Repository { repository: String, part: Part },
}

impl ResourceUri {
    /// The address `text` names, or why it is none of the server's.
    pub fn parse(text: &str) -> Result<Self, String> {
        let unknown = || {
            format!(
                "unknown resource `{text}`: expected {SCHEME}repositories or {SCHEME}repository/<repository>/(learnings|runs|pull-requests)"
            )
        };
        let rest = text.strip_prefix(SCHEME).ok_or_else(unknown)?;
        if rest == "repositories" {
            return Ok(Self::Repositories);
        }
        let inner = rest.strip_prefix("repository/").ok_or_else(unknown)?;
        let (encoded, part) = inner.split_once('/').ok_or_else(unknown)?;
        let part = Part::parse(part).ok_or_else(unknown)?;
        let repository = decode(encoded)
            .filter(|r| !r.is_empty())
            .ok_or_else(unknown)?;
        Ok(Self::Repository { repository, part })
    }

    /// The address, as clients send it back.
    pub fn to_uri(&self) -> String {
        match self {
            Self::Repositories => format!("{SCHEME}repositories"),
            Self::Repository { repository, part } => {
                format!(
                    "{SCHEME}repository/{}/{}",
                    encode(repository),
                    part.as_str()
                )
            }
        }
    }
}

/// `text` with everything but unreserved characters percent-encoded.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The text `encoded` percent-encodes; None when it is malformed or not UTF-8.
fn decode(encoded: &str) -> Option<String> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else if bytes[i] == b'/' {
            return None;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_and_strangers_are_refused() {
        for repository in ["github.com/o/r", "/tmp/x y/remote.git", "ünïcode"] {
            for part in Part::ALL {
                let uri = ResourceUri::Repository {
                    repository: repository.to_owned(),
                    part,
                };
                assert_eq!(ResourceUri::parse(&uri.to_uri()), Ok(uri.clone()));
            }
        }
        assert_eq!(
            ResourceUri::parse("automaintainer://repository/github.com%2Fo%2Fr/learnings")
                .unwrap()
                .to_uri(),
            "automaintainer://repository/github.com%2Fo%2Fr/learnings"
        );
        assert_eq!(
            ResourceUri::parse("automaintainer://repositories"),
            Ok(ResourceUri::Repositories)
        );
        for bad in [
            "file:///etc/passwd",
            "automaintainer://repository/x/secrets",
            "automaintainer://repository//learnings",
            "automaintainer://repository/a/b/learnings",
            "automaintainer://repository/%zz/learnings",
            "automaintainer://other",
        ] {
            let error = ResourceUri::parse(bad).unwrap_err();
            assert!(error.starts_with("unknown resource"), "{bad}: {error}");
        }
    }
}
