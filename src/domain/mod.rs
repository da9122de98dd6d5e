//! Pure exam logic: no I/O, no web framework, no database. Everything here is unit- and
//! property-tested.

pub mod ability;
pub mod adaptive;
pub mod assembly;
pub mod bank_browse;
pub mod blueprint;
pub mod cohort;
pub mod dates;
pub mod device;
pub mod exam_form;
pub mod forecast;
pub mod irt;
pub mod item;
pub mod line_diff;
pub mod practice;
pub mod readiness;
pub mod review;
pub mod scoring;
pub mod signin;
pub mod sim;
pub mod stats;
pub mod stats_sim;
pub mod workflow;
