//! The MCP server (rmcp, stdio): resources/list and resources/read over [`Memory`], and one
//! tool, `search_learnings`. An address the server does not have is a JSON-RPC error
//! (resource not found), never a crash; a bad tool argument is a tool error the caller reads.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::json;

use super::memory::{Memory, MemoryError};
use crate::secrets::Redactor;
use crate::store::Store;

/// The tool's name.
pub const SEARCH_TOOL: &str = "search_learnings";

/// The server over one store (and, when `only` is set, one repository of it).
#[derive(Debug, Clone)]
pub struct MemoryServer {
    store: Arc<dyn Store>,
    only: Option<String>,
    redactor: Redactor,
}

impl MemoryServer {
    pub fn new(store: Arc<dyn Store>, only: Option<String>, redactor: Redactor) -> Self {
        Self {
            store,
            only,
            redactor,
        }
    }

    fn memory(&self) -> Memory<'_> {
        Memory {
            store: self.store.as_ref(),
            only: self.only.as_deref(),
            redactor: &self.redactor,
        }
    }

    fn search_tool() -> Tool {
        let schema = json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Words to look for (a rule, a file, a tool, a topic)"},
                "repository": {"type": "string", "description": "One repository's identity (as in automaintainer://repositories); all repositories when absent"},
                "limit": {"type": "integer", "minimum": 1, "maximum": super::memory::MAX_SEARCH, "description": "At most this many learnings (10 by default)"},
            },
            "required": ["query"],
            "additionalProperties": false,
        });
        let schema: JsonObject = match schema {
            serde_json::Value::Object(map) => map,
            _ => JsonObject::new(),
        };
        let mut annotations = ToolAnnotations::default();
        annotations.read_only_hint = Some(true);
        Tool::new(
            SEARCH_TOOL,
            "Search what AutoMaintainer learned from its pull requests (learnings ranked by relevance, weight and recency), with each learning's effect and evidence",
            schema,
        )
        .with_annotations(annotations)
    }
}

/// A store failure is the server's problem; the caller gets one line, the log the cause.
fn internal(error: &MemoryError) -> ErrorData {
    tracing::error!(error = ?error, "the memory store could not be read");
    ErrorData::internal_error(error.to_string(), None)
}

/// (query, repository, limit) from the tool's arguments, or what is wrong with them.
fn search_arguments(
    arguments: Option<&JsonObject>,
) -> Result<(String, Option<String>, u32), String> {
    let empty = JsonObject::new();
    let arguments = arguments.unwrap_or(&empty);
    if let Some(unknown) = arguments
        .keys()
        .find(|k| !["query", "repository", "limit"].contains(&k.as_str()))
    {
        return Err(format!("unknown argument `{unknown}`"));
    }
    let query = arguments
        .get("query")
        .and_then(|q| q.as_str())
        .ok_or("query: expected a string")?;
    let repository = match arguments.get("repository") {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(
            value
                .as_str()
                .ok_or("repository: expected a string")?
                .to_owned(),
        ),
    };
    let limit = match arguments.get("limit") {
        None | Some(serde_json::Value::Null) => 10,
        Some(value) => value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=super::memory::MAX_SEARCH).contains(n))
            .ok_or_else(|| {
                format!(
                    "limit: expected a whole number from 1 to {}",
                    super::memory::MAX_SEARCH
                )
            })?,
    };
    Ok((query.to_owned(), repository, limit))
}

impl ServerHandler for MemoryServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_resources()
                .enable_tools()
                .build(),
        )
        .with_server_info(Implementation::new(
            "automaintainer",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "AutoMaintainer's memory of the repositories it maintains: read automaintainer://repositories, then each repository's learnings, runs and pull-requests; call search_learnings to find what it learned about a rule, file or tool.",
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let listed = self.memory().list().await.map_err(|e| internal(&e))?;
        let resources = listed
            .into_iter()
            .map(|l| {
                Resource::new(l.uri, l.name)
                    .with_description(l.description)
                    .with_mime_type("application/json")
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        match self.memory().read(&request.uri).await {
            Ok(text) => {
                Ok(ReadResourceResult::new(vec![
                    ResourceContents::text(text, request.uri).with_mime_type("application/json")
                ])
                .into())
            }
            Err(MemoryError::NotFound(why) | MemoryError::Invalid(why)) => {
                Err(ErrorData::resource_not_found(why, None))
            }
            Err(error) => Err(internal(&error)),
        }
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(vec![Self::search_tool()]))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        (name == SEARCH_TOOL).then(Self::search_tool)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if request.name != SEARCH_TOOL {
            return Err(ErrorData::invalid_params(
                format!(
                    "unknown tool `{}`: the one tool is {SEARCH_TOOL}",
                    request.name
                ),
                None,
            ));
        }
        let (query, repository, limit) = match search_arguments(request.arguments.as_ref()) {
            Ok(arguments) => arguments,
            Err(why) => return Ok(CallToolResult::error(vec![ContentBlock::text(why)]).into()),
        };
        match self
            .memory()
            .search(&query, repository.as_deref(), limit)
            .await
        {
            Ok(text) => Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into()),
            Err(MemoryError::NotFound(why) | MemoryError::Invalid(why)) => {
                Ok(CallToolResult::error(vec![ContentBlock::text(why)]).into())
            }
            Err(error) => Err(internal(&error)),
        }
    }
}

/// Serves `server` on stdin/stdout until the client closes them.
pub async fn serve_stdio(server: MemoryServer) -> Result<(), String> {
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("start the MCP session: {e}"))?;
    running
        .waiting()
        .await
        .map_err(|e| format!("serve the MCP session: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_arguments_are_checked_by_name_and_type() {
        let args = |v: serde_json::Value| match v {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        };
        assert_eq!(
            search_arguments(args(json!({"query": "len_zero"})).as_ref()),
            Ok(("len_zero".to_owned(), None, 10))
        );
        assert_eq!(
            search_arguments(args(json!({"query": "x", "repository": "r", "limit": 3})).as_ref()),
            Ok(("x".to_owned(), Some("r".to_owned()), 3))
        );
        for (bad, said) in [
            (json!({}), "query: expected a string"),
            (json!({"query": 3}), "query: expected a string"),
            (json!({"query": "x", "limit": 0}), "limit: expected"),
            (json!({"query": "x", "limit": "9"}), "limit: expected"),
            (
                json!({"query": "x", "other": 1}),
                "unknown argument `other`",
            ),
        ] {
            let error = search_arguments(args(bad.clone()).as_ref()).unwrap_err();
            assert!(error.starts_with(said), "{bad}: {error}");
        }
    }
}
