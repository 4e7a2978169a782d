//! Integration tests for `obox-cli config`.
#[allow(unused_imports)]
use crate::support::*;
