#!/usr/bin/env perl
# Makes uniffi's per-crate Swift files compile as ONE Swift module
# (RapportBindings: rapport-ffi's, rapport-core's and rapport-protocol's
# files). Run by generate-bindings.sh on the staged files, in place.
#
# uniffi 0.32 writes each crate's file as if it were its own module; two
# things then break when they share one:
#   1. A custom type's `imports` (core/uniffi.toml: CalendarDay from
#      RapportDay) go only into the file of the crate that declares the type,
#      but Swift imports are per file, and rapport-ffi's file uses CalendarDay
#      in RapportStore's and RapportSync's signatures. Fix: every file gets
#      every file's imports (an unused import costs nothing).
#   2. A custom type is declared `public typealias <Rust name> = <type_name>`;
#      when both are `CalendarDay` that is `typealias CalendarDay =
#      CalendarDay`, a circular reference. Fix: drop such self-aliases (the
#      name already means the imported type).
# Nothing else is changed; the files are still uniffi's.
use strict;
use warnings;

@ARGV or die "usage: $0 FILE.swift...\n";

my (%src, %imports);
for my $file (@ARGV) {
    open my $in, '<', $file or die "$file: $!\n";
    local $/;
    $src{$file} = <$in>;
    close $in;
    $imports{$_} = 1 for header_imports($src{$file});
}

# The imports of a file's opening lines (comments and imports), not the
# conditional ones further down (`#if canImport(RapportFFI)`).
sub header_imports {
    my @imports;
    for my $line (split /\n/, shift) {
        next if $line =~ m{^\s*(//.*)?$};
        last unless $line =~ /^import (\w+)$/;
        push @imports, $1;
    }
    return @imports;
}

for my $file (@ARGV) {
    my $src = $src{$file};
    my %have = map { $_ => 1 } header_imports($src);
    my @missing = grep { !$have{$_} } sort keys %imports;
    if (@missing) {
        my $lines = join '', map { "import $_\n" } @missing;
        # Beside the file's first import (uniffi's files all start with some).
        $src =~ s/^(import \w+\n)/$1$lines/m
            or die "$file: no import line to add @missing beside\n";
    }
    $src =~ s/^public typealias (\w+) = \1\n//mg;
    open my $out, '>', $file or die "$file: $!\n";
    print $out $src;
    close $out;
}
