//! Integration tests for `obox-cli lint`.
#[allow(unused_imports)]
use crate::support::*;
