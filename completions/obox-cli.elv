
use builtin;
use str;

set edit:completion:arg-completer[obox-cli] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'obox-cli'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'obox-cli'= {
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand config 'Print the configuration like doveconf (-n style, or chosen keys)'
            cand expand 'Expand %-variable templates for a user, as Dovecot 2.3 does'
            cand path 'Show where Dovecot keeps each user''s objects and caches'
            cand chain 'Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree'
            cand lint 'Check dovecot.conf for obox misconfigurations'
            cand rule 'Explain a lint rule (or list them all)'
            cand ls 'List objects in the bucket'
            cand get 'Download objects'
            cand put 'Upload objects'
            cand rm 'Delete objects'
            cand stat 'Show an object''s size, ETag, date and Dovecot metadata'
            cand completions 'Print shell completions'
            cand generate-man 'Write man pages (hidden; used to regenerate man/)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'obox-cli;config'= {
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -H 'Print only the values, like `doveconf -h`'
            cand --hide-key 'Print only the values, like `doveconf -h`'
            cand -n 'Show the non-default configuration (the default without KEYs; for doveconf compatibility)'
            cand --non-default 'Show the non-default configuration (the default without KEYs; for doveconf compatibility)'
            cand -x 'Expand `$setting`, `$ENV:NAME` and `<file` values, like `doveconf -x`'
            cand --expand 'Expand `$setting`, `$ENV:NAME` and `<file` values, like `doveconf -x`'
            cand --json 'Print JSON instead of dovecot.conf syntax'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;expand'= {
            cand -u 'Username (%u); %n, %d and auth_* are derived from it'
            cand --user 'Username (%u); %n, %d and auth_* are derived from it'
            cand --home 'Home directory (%h, %{home}, %{userdb:home})'
            cand --uid 'Numeric uid (%i, %{uid}, %{userdb:uid})'
            cand --gid 'Numeric gid (%{gid}, %{userdb:gid})'
            cand --var 'Set or override one variable, e.g. `--var rip=192.0.2.7` (repeatable)'
            cand --userdb 'Add a userdb field for %{userdb:FIELD} (repeatable; first one wins)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand --tsv 'Print `TEMPLATE<TAB>USER<TAB>RESULT` lines like the oracle''s vectors.tsv (failures as `!ERROR:<message>`, fields escaped) and nothing on stderr'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;path'= {
            cand --home 'The home directory the userdb returns (overrides mail_home)'
            cand --userdb 'Add a userdb field for %{userdb:FIELD} (repeatable)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand --stdin 'Read users from standard input, one per line (a trailing CR is dropped)'
            cand --json 'One JSON object per user (JSON Lines)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;chain'= {
            cand --string 'Parse this fs string instead of reading the config'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand --json 'Print the parsed chain as JSON'
            cand --check-oss 'Behave like open-source dovecot-core (Pro drivers are unknown) and print `OK` or `!ERROR:<message>` exactly as the fs-check oracle does'
            cand --expanded 'The text is already %-expanded for a user (`%XX` is URL encoding)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;lint'= {
            cand --format 'format'
            cand --select 'Only these rule codes or prefixes (comma-separated or repeated)'
            cand --ignore 'Skip these rule codes or prefixes'
            cand --fail-on 'Exit 1 when a finding has at least this severity'
            cand --target-version 'The Dovecot version to judge against (2.3.N or 3.0)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand --allow-unknown-params 'Don''t report undocumented URL parameters (Pro may ignore them)'
            cand --allow-unitless-time 'Don''t report time parameters without a unit (unclear for URLs)'
            cand --allow-credentials-with-role 'Don''t report static credentials combined with auth_role'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;rule'= {
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand --all 'Print every rule''s full documentation'
            cand --list 'List every rule, one line each (code, severity, name, summary)'
            cand --markdown 'Markdown: with --list the README''s rule table, with --all the rule reference (docs/rules.md)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;ls'= {
            cand --url 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf'
            cand --endpoint 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)'
            cand --fs 'Which fs chain of the config to use'
            cand --user 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)'
            cand --ca-file 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)'
            cand --compress 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -r 'List every key under PREFIX instead of one "directory" level'
            cand --recursive 'List every key under PREFIX instead of one "directory" level'
            cand -l 'Show size and last-modified time'
            cand --long 'Show size and last-modified time'
            cand --json 'One JSON object per line'
            cand --list-v2 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does'
            cand --insecure 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
            cand --raw 'Bypass the compress layer: transfer objects exactly as stored'
            cand -v 'Log every HTTP request on stderr (no secrets)'
            cand --verbose 'Log every HTTP request on stderr (no secrets)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;get'= {
            cand -j 'Parallel transfers for -r (at most 64; big objects use up to 8 ranges)'
            cand --jobs 'Parallel transfers for -r (at most 64; big objects use up to 8 ranges)'
            cand --url 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf'
            cand --endpoint 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)'
            cand --fs 'Which fs chain of the config to use'
            cand --user 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)'
            cand --ca-file 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)'
            cand --compress 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -r 'Download every key under the KEY prefix into the DEST directory'
            cand --recursive 'Download every key under the KEY prefix into the DEST directory'
            cand --no-progress 'No progress display (it is shown only when stderr is a terminal)'
            cand --list-v2 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does'
            cand --insecure 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
            cand --raw 'Bypass the compress layer: transfer objects exactly as stored'
            cand -v 'Log every HTTP request on stderr (no secrets)'
            cand --verbose 'Log every HTTP request on stderr (no secrets)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;put'= {
            cand -j 'Parallel transfers for -r, at most 64 (parts of one big file: up to 4)'
            cand --jobs 'Parallel transfers for -r, at most 64 (parts of one big file: up to 4)'
            cand --meta 'Object metadata NAME=VALUE, sent as x-amz-meta-NAME (repeatable)'
            cand --url 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf'
            cand --endpoint 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)'
            cand --fs 'Which fs chain of the config to use'
            cand --user 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)'
            cand --ca-file 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)'
            cand --compress 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -r 'Upload every file under the SRC directory below the KEY prefix'
            cand --recursive 'Upload every file under the SRC directory below the KEY prefix'
            cand --no-progress 'No progress display (it is shown only when stderr is a terminal)'
            cand --insecure 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
            cand --raw 'Bypass the compress layer: transfer objects exactly as stored'
            cand -v 'Log every HTTP request on stderr (no secrets)'
            cand --verbose 'Log every HTTP request on stderr (no secrets)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;rm'= {
            cand -j 'Parallel bulk-delete requests for -r'
            cand --jobs 'Parallel bulk-delete requests for -r'
            cand --url 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf'
            cand --endpoint 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)'
            cand --fs 'Which fs chain of the config to use'
            cand --user 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)'
            cand --ca-file 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)'
            cand --compress 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -r 'Delete every key under each prefix (bulk delete, bulk_delete_limit per request)'
            cand --recursive 'Delete every key under each prefix (bulk delete, bulk_delete_limit per request)'
            cand --no-progress 'No progress display (it is shown only when stderr is a terminal)'
            cand --list-v2 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does'
            cand --insecure 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
            cand --raw 'Bypass the compress layer: transfer objects exactly as stored'
            cand -v 'Log every HTTP request on stderr (no secrets)'
            cand --verbose 'Log every HTTP request on stderr (no secrets)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;stat'= {
            cand --url 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf'
            cand --endpoint 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)'
            cand --fs 'Which fs chain of the config to use'
            cand --user 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)'
            cand --ca-file 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)'
            cand --compress 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand --json 'Print one JSON object'
            cand --insecure 'Do not verify the server''s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
            cand --raw 'Bypass the compress layer: transfer objects exactly as stored'
            cand -v 'Log every HTTP request on stderr (no secrets)'
            cand --verbose 'Log every HTTP request on stderr (no secrets)'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;completions'= {
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;generate-man'= {
            cand --out-dir 'Directory to write obox-cli.1 and one page per subcommand into'
            cand --completions-dir 'Also write the shell completions into this directory'
            cand --rules-doc 'Also write the lint rule reference (every rule''s documentation, Markdown) to this file; the project keeps it as docs/rules.md'
            cand -c 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --config 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]'
            cand --color 'When to colour output; NO_COLOR is honoured with `auto`'
            cand -P 'Print passwords, secret keys and tokens instead of hiding them'
            cand --show-secrets 'Print passwords, secret keys and tokens instead of hiding them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'obox-cli;help'= {
            cand config 'Print the configuration like doveconf (-n style, or chosen keys)'
            cand expand 'Expand %-variable templates for a user, as Dovecot 2.3 does'
            cand path 'Show where Dovecot keeps each user''s objects and caches'
            cand chain 'Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree'
            cand lint 'Check dovecot.conf for obox misconfigurations'
            cand rule 'Explain a lint rule (or list them all)'
            cand ls 'List objects in the bucket'
            cand get 'Download objects'
            cand put 'Upload objects'
            cand rm 'Delete objects'
            cand stat 'Show an object''s size, ETag, date and Dovecot metadata'
            cand completions 'Print shell completions'
            cand generate-man 'Write man pages (hidden; used to regenerate man/)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'obox-cli;help;config'= {
        }
        &'obox-cli;help;expand'= {
        }
        &'obox-cli;help;path'= {
        }
        &'obox-cli;help;chain'= {
        }
        &'obox-cli;help;lint'= {
        }
        &'obox-cli;help;rule'= {
        }
        &'obox-cli;help;ls'= {
        }
        &'obox-cli;help;get'= {
        }
        &'obox-cli;help;put'= {
        }
        &'obox-cli;help;rm'= {
        }
        &'obox-cli;help;stat'= {
        }
        &'obox-cli;help;completions'= {
        }
        &'obox-cli;help;generate-man'= {
        }
        &'obox-cli;help;help'= {
        }
    ]
    $completions[$command]
}
