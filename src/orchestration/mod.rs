//! Orchestration: the Kestra flows' checks, the Kestra API client, and running all phases in one process.
