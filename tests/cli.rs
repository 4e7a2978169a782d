//! Integration tests for `obox-cli cli`.
#[allow(unused_imports)]
use crate::support::*;
