#!/usr/bin/perl
# follow_writer.pl - a log writer for tests/e2e/follow.sh: appends N lines to FILE at RATE
# lines per second, each "seq=K from ADDRESS mail ADDRESS", opening FILE in append mode and
# reopening it every REOPEN lines (0: for every line), as a server that is told late about
# a rotation keeps writing to the old file for a while.
#   follow_writer.pl FILE N RATE REOPEN
use strict;
use warnings;
use Time::HiRes qw(time sleep);

my ($file, $n, $rate, $reopen) = @ARGV;
die "usage: follow_writer.pl FILE N RATE REOPEN\n" unless defined $reopen;
my $fh;
my $t0 = time;
for my $k (1 .. $n) {
    if (!$fh || $reopen == 0 || $k % $reopen == 1) {
        close $fh if $fh;
        open($fh, '>>', $file) or die "$file: $!";
        $fh->autoflush(1);
    }
    printf $fh "seq=%d from 10.%d.%d.%d mail u%d\@example.com\n", $k, $k % 250, ($k >> 8) % 250,
        $k % 199 + 1, $k;
    my $due = $t0 + $k / $rate;
    my $wait = $due - time;
    sleep($wait) if $wait > 0;
}
close $fh;
