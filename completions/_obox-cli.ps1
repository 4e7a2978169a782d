
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'obox-cli' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'obox-cli'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'obox-cli' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the configuration like doveconf (-n style, or chosen keys)')
            [CompletionResult]::new('expand', 'expand', [CompletionResultType]::ParameterValue, 'Expand %-variable templates for a user, as Dovecot 2.3 does')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Show where Dovecot keeps each user''s objects and caches')
            [CompletionResult]::new('chain', 'chain', [CompletionResultType]::ParameterValue, 'Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check dovecot.conf for obox misconfigurations')
            [CompletionResult]::new('rule', 'rule', [CompletionResultType]::ParameterValue, 'Explain a lint rule (or list them all)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List objects in the bucket')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Download objects')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Upload objects')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete objects')
            [CompletionResult]::new('stat', 'stat', [CompletionResultType]::ParameterValue, 'Show an object''s size, ETag, date and Dovecot metadata')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('generate-man', 'generate-man', [CompletionResultType]::ParameterValue, 'Write man pages (hidden; used to regenerate man/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'obox-cli;config' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Print only the values, like `doveconf -h`')
            [CompletionResult]::new('--hide-key', '--hide-key', [CompletionResultType]::ParameterName, 'Print only the values, like `doveconf -h`')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show the non-default configuration (the default without KEYs; for doveconf compatibility)')
            [CompletionResult]::new('--non-default', '--non-default', [CompletionResultType]::ParameterName, 'Show the non-default configuration (the default without KEYs; for doveconf compatibility)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Expand `$setting`, `$ENV:NAME` and `<file` values, like `doveconf -x`')
            [CompletionResult]::new('--expand', '--expand', [CompletionResultType]::ParameterName, 'Expand `$setting`, `$ENV:NAME` and `<file` values, like `doveconf -x`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of dovecot.conf syntax')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;expand' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username (%u); %n, %d and auth_* are derived from it')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username (%u); %n, %d and auth_* are derived from it')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Home directory (%h, %{home}, %{userdb:home})')
            [CompletionResult]::new('--uid', '--uid', [CompletionResultType]::ParameterName, 'Numeric uid (%i, %{uid}, %{userdb:uid})')
            [CompletionResult]::new('--gid', '--gid', [CompletionResultType]::ParameterName, 'Numeric gid (%{gid}, %{userdb:gid})')
            [CompletionResult]::new('--var', '--var', [CompletionResultType]::ParameterName, 'Set or override one variable, e.g. `--var rip=192.0.2.7` (repeatable)')
            [CompletionResult]::new('--userdb', '--userdb', [CompletionResultType]::ParameterName, 'Add a userdb field for %{userdb:FIELD} (repeatable; first one wins)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('--tsv', '--tsv', [CompletionResultType]::ParameterName, 'Print `TEMPLATE<TAB>USER<TAB>RESULT` lines like the oracle''s vectors.tsv (failures as `!ERROR:<message>`, fields escaped) and nothing on stderr')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;path' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'The home directory the userdb returns (overrides mail_home)')
            [CompletionResult]::new('--userdb', '--userdb', [CompletionResultType]::ParameterName, 'Add a userdb field for %{userdb:FIELD} (repeatable)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Read users from standard input, one per line (a trailing CR is dropped)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per user (JSON Lines)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;chain' {
            [CompletionResult]::new('--string', '--string', [CompletionResultType]::ParameterName, 'Parse this fs string instead of reading the config')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the parsed chain as JSON')
            [CompletionResult]::new('--check-oss', '--check-oss', [CompletionResultType]::ParameterName, 'Behave like open-source dovecot-core (Pro drivers are unknown) and print `OK` or `!ERROR:<message>` exactly as the fs-check oracle does')
            [CompletionResult]::new('--expanded', '--expanded', [CompletionResultType]::ParameterName, 'The text is already %-expanded for a user (`%XX` is URL encoding)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;lint' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only these rule codes or prefixes (comma-separated or repeated)')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Skip these rule codes or prefixes')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding has at least this severity')
            [CompletionResult]::new('--target-version', '--target-version', [CompletionResultType]::ParameterName, 'The Dovecot version to judge against (2.3.N or 3.0)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('--allow-unknown-params', '--allow-unknown-params', [CompletionResultType]::ParameterName, 'Don''t report undocumented URL parameters (Pro may ignore them)')
            [CompletionResult]::new('--allow-unitless-time', '--allow-unitless-time', [CompletionResultType]::ParameterName, 'Don''t report time parameters without a unit (unclear for URLs)')
            [CompletionResult]::new('--allow-credentials-with-role', '--allow-credentials-with-role', [CompletionResultType]::ParameterName, 'Don''t report static credentials combined with auth_role')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;rule' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every rule''s full documentation')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List every rule, one line each (code, severity, name, summary)')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Markdown: with --list the README''s rule table, with --all the rule reference (docs/rules.md)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;ls' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'Which fs chain of the config to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'List every key under PREFIX instead of one "directory" level')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'List every key under PREFIX instead of one "directory" level')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Show size and last-modified time')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'Show size and last-modified time')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line')
            [CompletionResult]::new('--list-v2', '--list-v2', [CompletionResultType]::ParameterName, 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Bypass the compress layer: transfer objects exactly as stored')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;get' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Parallel transfers for -r (at most 64; big objects use up to 8 ranges)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Parallel transfers for -r (at most 64; big objects use up to 8 ranges)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'Which fs chain of the config to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Download every key under the KEY prefix into the DEST directory')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Download every key under the KEY prefix into the DEST directory')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress display (it is shown only when stderr is a terminal)')
            [CompletionResult]::new('--list-v2', '--list-v2', [CompletionResultType]::ParameterName, 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Bypass the compress layer: transfer objects exactly as stored')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;put' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Parallel transfers for -r, at most 64 (parts of one big file: up to 4)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Parallel transfers for -r, at most 64 (parts of one big file: up to 4)')
            [CompletionResult]::new('--meta', '--meta', [CompletionResultType]::ParameterName, 'Object metadata NAME=VALUE, sent as x-amz-meta-NAME (repeatable)')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'Which fs chain of the config to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Upload every file under the SRC directory below the KEY prefix')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Upload every file under the SRC directory below the KEY prefix')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress display (it is shown only when stderr is a terminal)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Bypass the compress layer: transfer objects exactly as stored')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;rm' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Parallel bulk-delete requests for -r')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Parallel bulk-delete requests for -r')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'Which fs chain of the config to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Delete every key under each prefix (bulk delete, bulk_delete_limit per request)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Delete every key under each prefix (bulk delete, bulk_delete_limit per request)')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'No progress display (it is shown only when stderr is a terminal)')
            [CompletionResult]::new('--list-v2', '--list-v2', [CompletionResultType]::ParameterName, 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Bypass the compress layer: transfer objects exactly as stored')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;stat' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)')
            [CompletionResult]::new('--fs', '--fs', [CompletionResultType]::ParameterName, 'Which fs chain of the config to use')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Bypass the compress layer: transfer objects exactly as stored')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every HTTP request on stderr (no secrets)')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;completions' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;generate-man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory to write obox-cli.1 and one page per subcommand into')
            [CompletionResult]::new('--completions-dir', '--completions-dir', [CompletionResultType]::ParameterName, 'Also write the shell completions into this directory')
            [CompletionResult]::new('--rules-doc', '--rules-doc', [CompletionResultType]::ParameterName, 'Also write the lint rule reference (every rule''s documentation, Markdown) to this file; the project keeps it as docs/rules.md')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output; NO_COLOR is honoured with `auto`')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print passwords, secret keys and tokens instead of hiding them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'obox-cli;help' {
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the configuration like doveconf (-n style, or chosen keys)')
            [CompletionResult]::new('expand', 'expand', [CompletionResultType]::ParameterValue, 'Expand %-variable templates for a user, as Dovecot 2.3 does')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Show where Dovecot keeps each user''s objects and caches')
            [CompletionResult]::new('chain', 'chain', [CompletionResultType]::ParameterValue, 'Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check dovecot.conf for obox misconfigurations')
            [CompletionResult]::new('rule', 'rule', [CompletionResultType]::ParameterValue, 'Explain a lint rule (or list them all)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List objects in the bucket')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Download objects')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Upload objects')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete objects')
            [CompletionResult]::new('stat', 'stat', [CompletionResultType]::ParameterValue, 'Show an object''s size, ETag, date and Dovecot metadata')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('generate-man', 'generate-man', [CompletionResultType]::ParameterValue, 'Write man pages (hidden; used to regenerate man/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'obox-cli;help;config' {
            break
        }
        'obox-cli;help;expand' {
            break
        }
        'obox-cli;help;path' {
            break
        }
        'obox-cli;help;chain' {
            break
        }
        'obox-cli;help;lint' {
            break
        }
        'obox-cli;help;rule' {
            break
        }
        'obox-cli;help;ls' {
            break
        }
        'obox-cli;help;get' {
            break
        }
        'obox-cli;help;put' {
            break
        }
        'obox-cli;help;rm' {
            break
        }
        'obox-cli;help;stat' {
            break
        }
        'obox-cli;help;completions' {
            break
        }
        'obox-cli;help;generate-man' {
            break
        }
        'obox-cli;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
