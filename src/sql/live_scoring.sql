
/* src/sql/live_scoring.sql — automatic moves and live scoring triggers (SPEC §4) */
