//! Router tests: the real router against a fresh, migrated PostgreSQL database per test
//! (`#[sqlx::test]`), asserting on what the user sees (visible text, elements by selector,
//! status and headers) and on what the database holds. One test binary, one module per feature.

mod db_switch;
mod helpers;

mod account_flows;
mod accounts;
mod analysis;
mod author;
mod bank;
mod cohorts;
mod exam;
mod forms;
mod hostile;
mod interchange;
mod outage;
mod plans;
mod practice;
mod readiness_irt;
mod studio;
mod theme;
mod upkeep;
