//! Integration tests for `obox-cli expand`.
#[allow(unused_imports)]
use crate::support::*;
