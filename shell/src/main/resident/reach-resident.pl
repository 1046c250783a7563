# reach-resident.pl DIR HOME ARGS... — hands a reach command to the resident reach of this user and network
# namespace (reach daemon start), relays its output and exits with its exit code. Exits 120, having printed
# nothing, when there is none or it declines: the launcher then runs the command in a JVM of its own.
# REACH_RESIDENT=explain prints why it was not handed over.
# No modules, not even strict and warnings (each costs milliseconds): socket constants are Linux's, and the
# wire format is Resident.java's.

my ($dir, $home, @args) = @ARGV;
my $DECLINED = 120;
my $explain = defined $ENV{REACH_RESIDENT} && $ENV{REACH_RESIDENT} eq "explain";
sub decline {
    print STDERR "reach: not handed to a resident reach: $_[0]\n" if $explain;
    exit $DECLINED;
}
# the directory must be this user's alone: nobody else may have put a socket there
my @d = lstat($dir);
decline("$dir is not a directory only this user can enter") unless @d && -d _ && $d[4] == $> && ($d[2] & 077) == 0;
my $ns = readlink("/proc/self/ns/net");
decline("cannot read /proc/self/ns/net") unless defined $ns && $ns =~ /\[(\d+)\]/;
my $netns = $1;
my $path = "$dir/net-$netns.sock";
decline("none runs for this network namespace ($path)") unless -S $path;
socket(my $s, 1, 1, 0) or decline("socket: $!");                 # AF_UNIX, SOCK_STREAM
connect($s, pack("S a108", 1, $path)) or decline("$path: $!");   # struct sockaddr_un

sub id { my @st = stat($_[0]); @st ? "$st[0]:$st[1]" : "-" }
my $cwd = readlink("/proc/self/cwd");
my @f = ("protocol=reach-resident/1", "netns=$netns", "resolv=" . id("/etc/resolv.conf"), "hosts=" . id("/etc/hosts"),
         "cwd=" . (defined $cwd ? $cwd : "-"), "home=$home",
         "tty=" . ((-t STDIN && -t STDOUT) ? 1 : 0), "errtty=" . (-t STDERR ? 1 : 0));
# the terminal's width for the report, as stty size reads it (ioctl TIOCGWINSZ: rows, columns, 2 more shorts)
my $ws = "\0" x 8;
push @f, "columns=" . (unpack("S4", $ws))[1] if -t STDOUT && ioctl(STDOUT, 0x5413, $ws);
# ResidentPlace.ENVIRONMENT (all of it), and what the output depends on
for my $k (qw(NO_COLOR TERM COLUMNS PATH HOME REACH_PLUGINS XDG_DATA_HOME XDG_CONFIG_HOME
              http_proxy https_proxy no_proxy all_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY ALL_PROXY
              RES_OPTIONS LOCALDOMAIN HOSTALIASES XDG_STATE_HOME REACH_HISTORY REACH_HISTORY_MAX_RUNS)) {
    push @f, "env.$k=$ENV{$k}" if defined $ENV{$k};
}
push @f, "argc=" . scalar(@args), @args;
my $req = join("\0", @f) . "\0";
while (length $req) {
    my $n = syswrite($s, $req);
    decline("sending the command: $!") unless defined $n;
    substr($req, 0, $n) = "";
}

# Ctrl-C cancels the run there (one byte), and the answer still comes: the report of what ran; a second Ctrl-C,
# TERM or HUP ends this client at once (its closed socket cancels the run there too)
my $interrupts = 0;
$SIG{INT} = sub { syswrite($s, "c"); exit 130 if ++$interrupts > 1 };
$SIG{TERM} = sub { syswrite($s, "c"); exit 143 };
$SIG{HUP} = sub { syswrite($s, "c"); exit 129 };
sub put {
    my ($fh, $data) = @_;
    while (length $data) {
        my $n = syswrite($fh, $data);
        if (!defined $n) { next if $! + 0 == 4; return }             # EINTR; a closed pipe ends the output
        substr($data, 0, $n) = "";
    }
}
my ($buf, $wrote) = ("", 0);
while (1) {
    my $n = sysread($s, $buf, 65536, length $buf);
    if (!defined $n) { next if $! + 0 == 4; last }
    last if $n == 0;
    while (length($buf) >= 5) {
        my ($type, $len) = unpack("C N", $buf);
        last if length($buf) < 5 + $len;
        my $data = substr($buf, 5, $len);
        substr($buf, 0, 5 + $len) = "";
        if ($type == 1) { put(\*STDOUT, $data); $wrote = 1 }
        elsif ($type == 2) { put(\*STDERR, $data); $wrote = 1 }
        elsif ($type == 3) { exit unpack("N", $data) }
        elsif ($type == 4) { decline("it declined: $data") }
        elsif ($type == 5) { put(\*STDERR, $data); exit $DECLINED }
        elsif ($type == 6) { $wrote = 1 }                            # it runs the command: never again here
    }
}
decline("it closed the connection without an answer") unless $wrote;
print STDERR "reach: the resident reach stopped while running this command\n";
exit 3;
