# Crash safety (issue 12): a backend killed with SIGKILL in the middle of
# rescore() and of a bulk event load with live scoring, and the server
# stopped with -m immediate in the middle of a load.  After each recovery:
# every stored score equals a fresh score() at its scored_at, every lead's
# stage is its latest move's, every committed batch of events is there whole
# and no uncommitted one is, live scoring goes on from the recovered states,
# and leadqual's B-tree indexes pass amcheck.
#
# Run by test/tap/run.sh (part of the test command).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
# durable commits, as in production (the test framework turns fsync off)
$node->append_conf('postgresql.conf', "fsync = on\nrestart_after_crash = on\n");
$node->start;

$node->safe_psql('postgres', q{
    CREATE EXTENSION leadqual;
    CREATE EXTENSION amcheck;
    SELECT leadqual.generate_demo(10000, 5);
});

# every stored score that differs from a fresh score() at its scored_at
my $stale_sql = q{
    SELECT count(*)
      FROM leadqual.lead l, LATERAL leadqual.score(l.lead_id, l.scored_at) s
     WHERE l.scored_at IS NOT NULL
       AND NOT (l.fit_score = s.fit_score
                AND abs(l.engagement_score - s.engagement_score) <= 1e-9 * greatest(1, abs(s.engagement_score))
                AND abs(l.score - s.score) <= 1e-9 * greatest(1, abs(s.score))
                AND l.grade IS NOT DISTINCT FROM s.grade)};
# leads whose stage is not the one their latest move entered
my $stage_sql = q{
    SELECT count(*)
      FROM (SELECT DISTINCT ON (h.lead_id) h.lead_id, h.to_stage FROM leadqual.stage_history h
             ORDER BY h.lead_id, h.changed_at DESC, h.history_id DESC) h
      JOIN leadqual.lead l ON l.lead_id = h.lead_id
     WHERE h.to_stage <> l.stage};

sub consistent
{
	my ($when) = @_;
	is($node->safe_psql('postgres', $stale_sql), '0', "$when: every stored score equals a fresh score()");
	is($node->safe_psql('postgres', $stage_sql), '0', "$when: every lead's stage is its latest move's");
	# live scoring goes on from the states that survived: one more event for
	# 500 leads, then their stored scores are fresh ones
	$node->safe_psql('postgres', q{
		INSERT INTO leadqual.event (lead_id, event_type, occurred_at, properties)
		SELECT l.lead_id, 'page_view', now(), '{"page": "pricing"}'
		  FROM leadqual.lead l ORDER BY l.lead_id DESC LIMIT 500});
	is($node->safe_psql('postgres', $stale_sql), '0', "$when: live scoring after recovery stores fresh scores");
	is( $node->safe_psql('postgres', q{
			SELECT count(*) FROM (
			  SELECT bt_index_check(c.oid, true)
			    FROM pg_class c
			    JOIN pg_am a ON a.oid = c.relam AND a.amname = 'btree'
			   WHERE c.relnamespace = 'leadqual'::regnamespace AND c.relkind = 'i') x}) > 0,
		1, "$when: leadqual's B-tree indexes pass amcheck");
}

# the checks can fail: a stored score and a stage made wrong by hand (rolled back)
is( $node->safe_psql('postgres', "BEGIN; UPDATE leadqual.lead SET score = score + 1 WHERE lead_id = 1; $stale_sql; ROLLBACK"),
	'1', 'the score check sees a stored score that is not fresh');
is( $node->safe_psql('postgres', q{
		BEGIN;
		UPDATE leadqual.lead SET stage = 'won'
		 WHERE lead_id = (SELECT h.lead_id FROM leadqual.stage_history h WHERE h.to_stage = 'mql' LIMIT 1)
		   AND stage <> 'won';
	} . "$stage_sql; ROLLBACK"),
	'1', "the stage check sees a lead whose stage is not its latest move's");
consistent('before any crash');

# kill a backend with SIGKILL and wait until the server has gone through
# crash recovery (a connection made before the postmaster notices the death
# would otherwise pass for a recovered server)
sub kill_backend
{
	my ($pid) = @_;
	my $offset = -s $node->logfile;
	kill 'KILL', $pid;
	$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
	$node->wait_for_log(qr/database system is ready to accept connections/, $offset);
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die 'the server did not come back';
}

# ---------------------------------------------------------------------
# SIGKILL in the middle of rescore(): as of 40 days on, it changes every
# lead's engagement, so it writes all 10,000 leads in one transaction
# ---------------------------------------------------------------------
my $killed_mid_rescore = 0;
for my $try (1 .. 5)
{
	my $as_of = "'2030-01-01'::timestamptz + interval '$try days'";
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	$bg->query_until(qr/start/, "\\echo start\nSELECT leadqual.rescore($as_of);\n");
	# kill it once it has run 50 ms
	my $seen = 0;
	for (1 .. 500)
	{
		my $ms = $node->safe_psql('postgres',
			"SELECT coalesce(extract(epoch FROM clock_timestamp() - query_start) * 1000, -1)::int"
			  . " FROM pg_stat_activity WHERE pid = $pid AND state = 'active' AND query LIKE '%rescore%'");
		if ($ms ne '' && $ms >= 50) { $seen = 1; last; }
		usleep(10_000);
	}
	if ($seen) { kill_backend($pid); }
	eval { $bg->quit; };
	my $stored = $node->safe_psql('postgres', "SELECT count(*) FROM leadqual.lead WHERE scored_at = $as_of");
	if ($seen && $stored eq '0')
	{
		$killed_mid_rescore = 1;
		last;
	}
	note "try $try: rescore() ended before it could be killed ($stored leads stored as of its time)";
}
ok($killed_mid_rescore, 'a backend was killed with SIGKILL in the middle of rescore(), which left nothing');
consistent('after SIGKILL in the middle of rescore()');

# ---------------------------------------------------------------------
# a bulk load with live scoring: batches of 2,000 events, each committed,
# each announcing its commit after it; the backend (or the whole server) dies
# in the middle.  Every announced batch must be there whole, every batch
# there must be whole, and the batches are 1 .. k without a gap.
# ---------------------------------------------------------------------
sub start_load
{
	my ($tag) = @_;
	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	$bg->query_until(qr/start/, "\\echo start\n" . qq{
		DO \$\$
		BEGIN
		    FOR b IN 1 .. 500 LOOP
		        INSERT INTO leadqual.event (lead_id, event_type, occurred_at, campaign, properties)
		        SELECT l.lead_id, CASE WHEN l.lead_id % 97 = 0 THEN 'demo_request' ELSE 'page_view' END,
		               now(), '$tag-' || b, '{"page": "pricing"}'
		          FROM (SELECT lead_id FROM leadqual.lead ORDER BY lead_id OFFSET (b * 2000) % 8000 LIMIT 2000) l;
		        COMMIT;
		        RAISE NOTICE 'committed batch %', b;
		    END LOOP;
		END
		\$\$;
	});
	return ($bg, $pid);
}

sub wait_batches
{
	my ($tag, $n) = @_;
	for (1 .. 3000)
	{
		return 1
		  if $node->safe_psql('postgres',
			"SELECT count(DISTINCT campaign) >= $n FROM leadqual.event WHERE campaign LIKE '$tag-%'") eq 't';
		usleep(10_000);
	}
	return 0;
}

sub check_batches
{
	my ($tag, $bg, $when) = @_;
	# what psql printed before its server connection died: the batches
	# known to be committed (finish collects its output to the end)
	eval { $bg->{run}->finish; };
	my @announced = ($bg->{stderr} =~ /committed batch (\d+)/g);
	my $announced = @announced ? $announced[-1] : 0;
	my ($batches, $whole, $last) = split /\|/, $node->safe_psql('postgres', qq{
		SELECT count(*), count(*) FILTER (WHERE n = 2000), coalesce(max(b), 0)
		  FROM (SELECT substr(campaign, length('$tag-') + 1)::int AS b, count(*) AS n
		          FROM leadqual.event WHERE campaign LIKE '$tag-%' GROUP BY 1) x});
	ok($announced >= 3, "$when: $announced batches announced as committed before the end");
	ok($last >= $announced, "$when: every announced batch is there (batches 1 .. $last)");
	is($whole, $batches, "$when: every batch there is whole ($batches of 2,000 events)");
	is($batches, $last, "$when: no batch is missing between 1 and $last");
	ok($last < 500, "$when: the load did not finish (it was cut in the middle)");
}

my ($bg, $pid) = start_load('kill');
ok(wait_batches('kill', 3), 'SIGKILL load: three batches committed');
kill_backend($pid);
check_batches('kill', $bg, 'after SIGKILL in the middle of a bulk load');
consistent('after SIGKILL in the middle of a bulk load');

($bg, $pid) = start_load('immediate');
ok(wait_batches('immediate', 3), 'immediate-stop load: three batches committed');
$node->stop('immediate');
$node->start;
check_batches('immediate', $bg, 'after pg_ctl stop -m immediate in the middle of a bulk load');
consistent('after pg_ctl stop -m immediate in the middle of a bulk load');

$node->stop;
done_testing();
