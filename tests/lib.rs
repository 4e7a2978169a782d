//! The single integration-test binary: every test runs the real
//! `obox-cli` binary, and compares with real Dovecot or a real S3 server
//! where the behaviour has one.
mod support;

mod chain;
mod cli;
mod concurrency;
mod config;
mod expand;
mod generated;
mod hardening;
mod hostile_server;
mod lint;
mod objects;
mod objects_config;
mod objects_wire;
mod path;
mod readme;
mod secret_hygiene;
mod tls;
