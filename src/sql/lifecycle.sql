
/* src/sql/lifecycle.sql — stage machine, sales actions, live scoring (SPEC §4) */
