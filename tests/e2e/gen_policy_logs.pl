#!/usr/bin/perl
# gen_policy_logs.pl - logs for tests/e2e/policies.sh, one kind per shipped privacy policy,
# with forbidden values planted (each one unique, so a grep finds exactly it) and the values
# that must survive listed.
#
#   gen_policy_logs.pl KIND LINES SEED NOW OUTDIR
#
# KIND: local-ai-toolkit | cloud-ai-pool | annotation-service | api-gateway |
# ai-model-platform. NOW (epoch seconds): record times fall in the 20 days before it.
# Writes OUTDIR/KIND.log, OUTDIR/KIND.forbidden (values that must not appear in the
# output) and OUTDIR/KIND.allowed (values that must).
use strict;
use warnings;

my ($kind, $lines, $seed, $now, $dir) = @ARGV;
die "usage: gen_policy_logs.pl KIND LINES SEED NOW OUTDIR\n" unless defined $dir;
srand($seed);

open(my $log, '>', "$dir/$kind.log") or die "$dir/$kind.log: $!";
open(my $forbidden, '>', "$dir/$kind.forbidden") or die;
open(my $allowed, '>', "$dir/$kind.allowed") or die;

sub hex_id { my $n = shift; join '', map { sprintf '%x', int(rand(16)) } 1 .. $n }
sub alnum {
    my $n = shift;
    my @c = ('a' .. 'z', 'A' .. 'Z', '0' .. '9');
    join '', map { $c[int(rand(@c))] } 1 .. $n;
}
sub pick { $_[int(rand(@_))] }
sub bad  { print $forbidden "$_\n" for @_; @_ == 1 ? $_[0] : @_ }
sub good { print $allowed "$_\n" for @_; @_ == 1 ? $_[0] : @_ }

# A Luhn-valid 16-digit card number starting with 4.
sub card {
    my @d = (4, map { int(rand(10)) } 1 .. 14);
    my $sum = 0;
    for my $i (0 .. $#d) {
        my $v = $d[$#d - $i];
        if ($i % 2 == 0) { $v *= 2; $v -= 9 if $v > 9 }
        $sum += $v;
    }
    return join('', @d) . ((10 - $sum % 10) % 10);
}

# A German IBAN with valid mod-97 check digits.
sub iban {
    my $bban = join '', map { int(rand(10)) } 1 .. 18;
    my $num = $bban . '131400'; # "DE00": D = 13, E = 14
    my $r = 0;
    $r = ($r * 10 + $_) % 97 for split //, $num;
    return sprintf('DE%02d%s', 98 - $r, $bban);
}

sub rfc3339 {
    my @t = gmtime(shift);
    sprintf '%04d-%02d-%02dT%02d:%02d:%02dZ', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0];
}
my @mon = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);
sub access_time {
    my @t = gmtime(shift);
    sprintf '%02d/%s/%04d:%02d:%02d:%02d +0000', $t[3], $mon[$t[4]], $t[5] + 1900, @t[2, 1, 0];
}
# Record i's time: spread over the 20 days before NOW, in order.
sub when { my $i = shift; $now - 20 * 86400 + int($i * 20 * 86400 / $lines) }

my @first = qw(Jane John Maria Wei Aisha Lars Priya Omar);
my @last = qw(Roe Doe Silva Zhang Khan Berg Patel Haddad);
sub person { pick(@first) . ' ' . pick(@last) . hex_id(6) }
sub phone { sprintf '+44 20 %04d %04d', int(rand(10000)), int(rand(10000)) }
sub email { 'user' . hex_id(8) . '@mail.example.org' }

my @ua = (
    'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
);

for my $i (1 .. $lines) {
    my $t = when($i);
    my $ts = rfc3339($t);
    if ($kind eq 'local-ai-toolkit') {
        my $rid = good('req_' . hex_id(12));
        my $sk = bad('sk-proj-' . alnum(40));
        my $gk = bad('AIza' . alnum(35));
        my $hf = bad('hf_' . alnum(34));
        my ($prompt, $completion, $ann, $body, $file) =
            bad(map { $_ . hex_id(10) } qw(prompt completion annot body filedata));
        my $name = bad(person());
        my ($mail, $ph, $street) = (bad(email()), bad(phone()), bad('Street' . hex_id(8)));
        my $code = $i % 7 == 0 ? bad(email()) : $i % 11 == 0 ? bad(phone())
                 : $i % 13 == 0 ? bad('sk-proj-' . alnum(40)) : '429';
        print $log qq({"ts":"$ts","level":"info","event":"completion","provider":"openai",)
            . qq("model":"gpt-4o-mini","method":"POST",)
            . qq("endpoint":"https://api.example.ai/v1/chat/completions?key=$gk&api_key=$hf",)
            . qq("status":200,"latency_ms":812,"request_id":"$rid",)
            . qq("usage":{"prompt_tokens":41,"completion_tokens":12,"total_tokens":53},)
            . qq("error":{"type":"rate_limit","code":"$code","message":"retry $prompt"},)
            . qq("headers":{"Authorization":"Bearer $sk","x-api-key":"$hf"},"api_key":"$hf",)
            . qq("prompt":"Summarise $prompt for $name","completion":"$completion",)
            . qq("request":{"body":"{\\"messages\\":[\\"$body\\"]}"},)
            . qq("file":{"name":"scan.zip","content":"$file"},)
            . qq("annotations":[{"label":"$ann","bbox":[1,2,3,4]}],)
            . qq("user":{"name":"$name","email":"$mail","phone":"$ph","address":"1 $street"}}\n);
    } elsif ($kind eq 'cloud-ai-pool') {
        my $user = 'u_' . ($i % 50);
        my $ip = '198.51.100.' . ($i % 50);
        my $dev = pick('iPhone15,2', 'Pixel 8', 'SM-S918B');
        my $job = good('j_' . hex_id(10));
        my ($sid, $theme, $payload, $prompt) = bad(map { $_ . hex_id(12) } qw(sid theme payload prompt));
        my $op = $i % 9 == 0 ? 'key.create token=' . bad('tok' . hex_id(12)) . ' for ' . bad(email())
               : pick('inference.run', 'dataset.upload', 'login');
        print $log qq({"ts":"$ts","op":"$op","status":"ok","duration_ms":912,"user_id":"$user",)
            . qq("client_ip":"$ip","device_model":"$dev","job_id":"$job",)
            . qq("headers":{"Cookie":"sid=$sid; theme=$theme","User-Agent":"x"},)
            . qq("cookies":{"sid":"$sid"},"payload":{"rows":[{"data":"$payload"}]},"prompt":"$prompt"}\n);
    } elsif ($kind eq 'annotation-service') {
        # Every 50th line was written with $request_body appended: it must not pass at all.
        my $with_body = $i % 50 == 0;
        my $keep = $with_body ? \&bad : \&good;
        my $ip = $i % 5 == 0 ? sprintf('2001:db8:%x::%x', $i % 65536, $i % 9999 + 1)
                             : sprintf('203.0.%d.%d', $i % 256, $i % 250 + 1);
        $keep->($ip) if $with_body || $i % 2; # (addresses repeat: half are listed)
        my $img = $keep->('img' . hex_id(10));
        my $user = $i % 3 == 0 ? bad('login' . hex_id(8)) : '-';
        my $upload = bad('upload' . hex_id(10));
        my $token = bad('tok' . hex_id(12));
        my $search = bad('search' . hex_id(10));
        my $method = $i % 4 == 0 ? 'POST' : 'GET';
        my $status = pick(200, 201, 304, 404, 500);
        my $bytes = $keep->(100000 + $i);
        my $line = sprintf '%s - %s [%s] "%s /images/%s.jpg?page=%d&file=%s.png&token=%s HTTP/1.1" %d %d "https://annotate.example/projects?q=%s" "%s"',
            $ip, $user, access_time($t), $method, $img, $i % 9, $upload, $token, $status, $bytes, $search, pick(@ua);
        $line .= ' "' . bad('iVBORw0KGgo' . alnum(24)) . '"' if $with_body;
        print $log "$line\n";
    } elsif ($kind eq 'api-gateway') {
        my $ip = sprintf '192.0.2.%d', $i % 250 + 1;
        my $dev = 'd-' . hex_id(10);
        my $path = '/v1/items/' . ($i % 100);
        my ($q, $body, $form, $resp) = bad(map { $_ . hex_id(10) } qw(query body form resp));
        my $auth = bad('Bearer' . alnum(30));
        my $ok = $i % 10 == 0 ? 'false' : 'true';
        my $err = $i % 10 == 0 ? ',"error":"upstream timeout"' : '';
        print $log qq({"ts":"$ts","method":"GET","path":"$path?q=$q","status":200,)
            . qq("success":$ok$err,"latency_ms":35.2,"client_ip":"$ip","device_id":"$dev",)
            . qq("user_agent":"$ua[$i % 3]","request":{"body":"$body"},"form":{"name":"$form"},)
            . qq("headers":{"authorization":"$auth"},"response":{"body":"$resp"}}\n);
        good($path, $ip, $dev);
    } elsif ($kind eq 'ai-model-platform') {
        my $acct = 'acct_' . ($i % 40);
        my $k = $i % 3;
        my ($card, $ib) = bad(card(), iban());
        if ($k == 0) {
            my ($msg, $resp) = bad(map { $_ . hex_id(10) } qw(msg resp));
            print $log qq({"ts":"$ts","kind":"api_call","account_id":"$acct","model":"llama-3-70b",)
                . qq("endpoint":"/v1/chat/completions","status":200,"latency_ms":1840,)
                . qq("usage":{"input_tokens":310,"output_tokens":92},)
                . qq("request":{"messages":[{"role":"user","content":"$msg pay $card from $ib"}]},)
                . qq("response":{"content":"$resp"}}\n);
        } elsif ($k == 1) {
            my $conv = good('conv' . hex_id(10)); # kept for 90 days, then expire removes it
            print $log qq({"ts":"$ts","kind":"conversation","account_id":"$acct","conversation_id":"c_$i",)
                . qq("conversation":{"messages":[{"role":"user","content":"$conv card $card iban $ib"}]}}\n);
        } else {
            print $log qq({"ts":"$ts","kind":"billing","account_id":"$acct",)
                . qq("payment":{"card":"$card","iban":"$ib"},"error_code":"card $card declined"}\n);
        }
    } else {
        die "unknown kind $kind\n";
    }
}
