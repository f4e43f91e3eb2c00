#!/usr/bin/perl
# Deterministic file-tree generator for daxguard benchmark fixtures.
#
# usage: populate.pl <tree-root> <files> <seed> <plan-dir>
#
# Writes the whole tree from ONE process (creating 200,000 files with one process per file would take
# far longer than the files themselves). Only modules of perl-base are used: perl-base is Essential on
# Debian, so this runs on a fresh machine. Perl >= 5.20 implements rand() with its own drand48, so a
# seed gives the same sequence on every platform: same seed, same names, sizes, contents and links.
#
# The plan directory receives lists the calling shell script acts on:
#   reflinks.list    "<destination-dir>\t<source-file>" (cloned with cp --reflink=always on XFS)
#   fragmented.list  files written to have many extents (for the summary's extent counts)
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC SEEK_SET);
use IO::Handle;

my ($root, $nfiles, $seed, $plan) = @ARGV;
die "usage: populate.pl <tree-root> <files> <seed> <plan-dir>\n" unless defined $plan;
die "files must be a positive integer\n" unless $nfiles =~ /^[0-9]+$/ && $nfiles > 0;
die "seed must be an integer\n" unless $seed =~ /^[0-9]+$/;
srand($seed);

sub irand { return int(rand($_[0])); }    # uniform 0 .. n-1
sub clamp { my ($v, $lo, $hi) = @_; return $v < $lo ? $lo : $v > $hi ? $hi : $v; }

use constant KIB => 1024;
use constant MIB => 1024 * 1024;
use constant BLOCK => 4096;
use constant MAX_DEPTH => 6;

# A 1 MiB pool of pseudo-random bytes, doubled so any substring of up to 1 MiB is a plain substr.
my $pool_size = MIB;
my $pool = pack('N*', map { irand(4294967296) } 1 .. $pool_size / 4);
$pool .= $pool;
sub content { my ($len) = @_; return substr($pool, irand($pool_size), $len); }

# ---- directories: a random recursive tree, depth capped, a few hundred nodes at 200k files
my $ndirs = clamp(int($nfiles / 500), 16, 400);
my @dirs = ('');
my @depth = (0);
for my $d (1 .. $ndirs - 1) {
    my $parent;
    do { $parent = irand(scalar @dirs) } while ($depth[$parent] >= MAX_DEPTH);
    push @dirs, "$dirs[$parent]/d$d";
    push @depth, $depth[$parent] + 1;
    mkdir "$root$dirs[-1]" or die "mkdir $root$dirs[-1]: $!\n";
}

# ---- kinds: exact counts, shuffled, so the mix does not depend on luck
my $nlarge = clamp(int($nfiles / 10000), 2, 20);          # 1-64 MiB each
my $nsparse = clamp(int($nfiles / 1000), 10, 200);        # sparse pwrites: one extent per written block
my $ngroups = clamp(int($nfiles / 20000), 1, 10);         # groups of 8 files written interleaved + fsync
my $ninter = $ngroups * 8;
die "files must be at least " . ($nlarge + $nsparse + $ninter + 1) . "\n"
    if $nfiles <= $nlarge + $nsparse + $ninter;
my @kind = (('L') x $nlarge, ('S') x $nsparse, ('I') x $ninter, ('s') x ($nfiles - $nlarge - $nsparse - $ninter));
for (my $i = $#kind; $i > 0; $i--) { my $j = irand($i + 1); @kind[$i, $j] = @kind[$j, $i]; }

my (@path, @small, @large, @sparse, @inter);
my %bytes = (s => 0, L => 0, S => 0, I => 0);

sub write_whole {
    my ($p, $len) = @_;
    sysopen(my $fh, $p, O_WRONLY | O_CREAT | O_TRUNC, 0644) or die "create $p: $!\n";
    my $done = 0;
    while ($done < $len) {
        my $n = $len - $done > MIB ? MIB : $len - $done;
        my $w = syswrite($fh, content($n)) // die "write $p: $!\n";
        $done += $w;
    }
    close $fh or die "close $p: $!\n";
}

for my $i (0 .. $nfiles - 1) {
    my $p = "$root$dirs[irand($ndirs)]/f$i";
    push @path, $p;
    my $k = $kind[$i];
    if ($k eq 's') {
        # mostly small: 0-16 KiB, one in twenty empty
        my $len = irand(20) == 0 ? 0 : 1 + irand(16 * KIB);
        write_whole($p, $len);
        $bytes{s} += $len;
        push @small, $i;
    } elsif ($k eq 'L') {
        my $len = (1 + irand(64)) * MIB - irand(MIB / BLOCK) * BLOCK;
        write_whole($p, $len);
        $bytes{L} += $len;
        push @large, $i;
    } elsif ($k eq 'S') {
        # 16-128 written blocks separated by 1-3 block holes: guaranteed one extent per block
        sysopen(my $fh, $p, O_WRONLY | O_CREAT | O_TRUNC, 0644) or die "create $p: $!\n";
        # Written from the last block down: no write extends EOF after the first, so XFS speculative
        # preallocation never fills the holes with unwritten extents.
        my $blocks = 16 + irand(113);
        my $pos = irand(4) * BLOCK;
        my @offsets;
        for (1 .. $blocks) { push @offsets, $pos; $pos += BLOCK * (2 + irand(3)); }
        for my $off (reverse @offsets) {
            sysseek($fh, $off, SEEK_SET) or die "seek $p: $!\n";
            syswrite($fh, content(BLOCK)) == BLOCK or die "write $p: $!\n";
        }
        close $fh or die "close $p: $!\n";
        $bytes{S} += $blocks * BLOCK;
        push @sparse, $i;
    } else {
        push @inter, $i;    # written below, interleaved with the others of its group
    }
}

# ---- interleaved groups: one chunk to each file of the group in turn, fsync after every chunk, so the
# allocator places chunks of different files next to each other: many extents per file.
for (my $g = 0; $g < @inter; $g += 8) {
    my @members = @inter[$g .. $g + 7];
    my @fh;
    for my $i (@members) {
        sysopen(my $fh, $path[$i], O_WRONLY | O_CREAT | O_TRUNC, 0644) or die "create $path[$i]: $!\n";
        push @fh, $fh;
    }
    my $chunks = 16 + irand(49);
    for (1 .. $chunks) {
        for my $fh (@fh) {
            my $len = BLOCK * (1 + irand(4));
            syswrite($fh, content($len)) == $len or die "write: $!\n";
            $fh->sync or die "fsync: $!\n";
            $bytes{I} += $len;
        }
    }
    for my $fh (@fh) { close $fh or die "close: $!\n"; }
}

# ---- hard links: 1% of the small files get one or two more names in random directories
my $nlinked = 0;
my $nlinks = 0;
my %linked;
for (1 .. int(@small / 100)) {
    my $i = $small[irand(scalar @small)];
    next if $linked{$i}++;
    $nlinked++;
    for my $k (1 .. 1 + irand(2)) {
        my $name = "$root$dirs[irand($ndirs)]/h${i}_$k";
        link($path[$i], $name) or die "link $path[$i] $name: $!\n";
        $nlinks++;
    }
}

# ---- reflink plan (executed by the shell on XFS): sources have unique basenames, so cp -t works
my @rdirs;
for my $r (0 .. 9) {
    my $d = "$root$dirs[irand($ndirs)]/rl$r";
    mkdir $d or die "mkdir $d: $!\n";
    push @rdirs, $d;
}
my %chosen;
my @sources;
sub choose { my ($list, $n) = @_; for (1 .. $n) { my $i = $list->[irand(scalar @$list)]; push @sources, $i unless $chosen{$i}++; } }
choose(\@small, int(@small / 200));
choose(\@large, clamp(int(@large / 4), 1, 5));
choose(\@sparse, clamp(int(@sparse / 10), 1, 20));
choose(\@inter, clamp(int(@inter / 8), 1, 8));
open(my $rl, '>', "$plan/reflinks.list") or die "$plan/reflinks.list: $!\n";
print $rl $rdirs[irand(scalar @rdirs)], "\t", $path[$_], "\n" for @sources;
close $rl or die "$!\n";

open(my $fr, '>', "$plan/fragmented.list") or die "$plan/fragmented.list: $!\n";
print $fr "$path[$_]\n" for (@sparse, @inter);
close $fr or die "$!\n";

printf "gen_files=%d gen_dirs=%d gen_small=%d gen_large=%d gen_sparse=%d gen_interleaved=%d " .
       "gen_hardlinked_files=%d gen_extra_links=%d gen_reflink_sources=%d gen_bytes=%d\n",
    $nfiles, $ndirs + 10, scalar @small, $nlarge, $nsparse, $ninter, $nlinked, $nlinks, scalar @sources,
    $bytes{s} + $bytes{L} + $bytes{S} + $bytes{I};
