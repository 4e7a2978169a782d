# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_obox_cli_global_optspecs
    string join \n c/config= color= P/show-secrets h/help V/version
end

function __fish_obox_cli_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_obox_cli_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_obox_cli_using_subcommand
    set -l cmd (__fish_obox_cli_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c obox-cli -n "__fish_obox_cli_needs_command" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_needs_command" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_needs_command" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "config" -d 'Print the configuration like doveconf (-n style, or chosen keys)'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "expand" -d 'Expand %-variable templates for a user, as Dovecot 2.3 does'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "path" -d 'Show where Dovecot keeps each user\'s objects and caches'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "chain" -d 'Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "lint" -d 'Check dovecot.conf for obox misconfigurations'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "rule" -d 'Explain a lint rule (or list them all)'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "ls" -d 'List objects in the bucket'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "get" -d 'Download objects'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "put" -d 'Upload objects'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "rm" -d 'Delete objects'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "stat" -d 'Show an object\'s size, ETag, date and Dovecot metadata'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "generate-man" -d 'Write man pages (hidden; used to regenerate man/)'
complete -c obox-cli -n "__fish_obox_cli_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s H -l hide-key -d 'Print only the values, like `doveconf -h`'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s n -l non-default -d 'Show the non-default configuration (the default without KEYs; for doveconf compatibility)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s x -l expand -d 'Expand `$setting`, `$ENV:NAME` and `<file` values, like `doveconf -x`'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -l json -d 'Print JSON instead of dovecot.conf syntax'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand config" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -s u -l user -d 'Username (%u); %n, %d and auth_* are derived from it' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l home -d 'Home directory (%h, %{home}, %{userdb:home})' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l uid -d 'Numeric uid (%i, %{uid}, %{userdb:uid})' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l gid -d 'Numeric gid (%{gid}, %{userdb:gid})' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l var -d 'Set or override one variable, e.g. `--var rip=192.0.2.7` (repeatable)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l userdb -d 'Add a userdb field for %{userdb:FIELD} (repeatable; first one wins)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -l tsv -d 'Print `TEMPLATE<TAB>USER<TAB>RESULT` lines like the oracle\'s vectors.tsv (failures as `!ERROR:<message>`, fields escaped) and nothing on stderr'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand expand" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -l home -d 'The home directory the userdb returns (overrides mail_home)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -l userdb -d 'Add a userdb field for %{userdb:FIELD} (repeatable)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -l stdin -d 'Read users from standard input, one per line (a trailing CR is dropped)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -l json -d 'One JSON object per user (JSON Lines)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand path" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -l string -d 'Parse this fs string instead of reading the config' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -l json -d 'Print the parsed chain as JSON'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -l check-oss -d 'Behave like open-source dovecot-core (Pro drivers are unknown) and print `OK` or `!ERROR:<message>` exactly as the fs-check oracle does'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -l expanded -d 'The text is already %-expanded for a user (`%XX` is URL encoding)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand chain" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l format -r -f -a "human\t''
json\t''
sarif\t''
github\t''"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l select -d 'Only these rule codes or prefixes (comma-separated or repeated)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l ignore -d 'Skip these rule codes or prefixes' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l fail-on -d 'Exit 1 when a finding has at least this severity' -r -f -a "info\t''
warning\t''
error\t''"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l target-version -d 'The Dovecot version to judge against (2.3.N or 3.0)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l allow-unknown-params -d 'Don\'t report undocumented URL parameters (Pro may ignore them)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l allow-unitless-time -d 'Don\'t report time parameters without a unit (unclear for URLs)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -l allow-credentials-with-role -d 'Don\'t report static credentials combined with auth_role'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand lint" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -l all -d 'Print every rule\'s full documentation'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -l list -d 'List every rule, one line each (code, severity, name, summary)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -l markdown -d 'Markdown: with --list the README\'s rule table, with --all the rule reference (docs/rules.md)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rule" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l url -d 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l endpoint -d 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l fs -d 'Which fs chain of the config to use' -r -f -a "obox\t'plugin/obox_fs (mails)'
index\t'plugin/obox_index_fs (index bundles; falls back to obox_fs)'
fts\t'plugin/fts_dovecot_fs (full-text search)'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l user -d 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l ca-file -d 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l compress -d 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s r -l recursive -d 'List every key under PREFIX instead of one "directory" level'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s l -l long -d 'Show size and last-modified time'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l json -d 'One JSON object per line'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l list-v2 -d 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l insecure -d 'Do not verify the server\'s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -l raw -d 'Bypass the compress layer: transfer objects exactly as stored'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s v -l verbose -d 'Log every HTTP request on stderr (no secrets)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand ls" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s j -l jobs -d 'Parallel transfers for -r (at most 64; big objects use up to 8 ranges)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l url -d 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l endpoint -d 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l fs -d 'Which fs chain of the config to use' -r -f -a "obox\t'plugin/obox_fs (mails)'
index\t'plugin/obox_index_fs (index bundles; falls back to obox_fs)'
fts\t'plugin/fts_dovecot_fs (full-text search)'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l user -d 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l ca-file -d 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l compress -d 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s r -l recursive -d 'Download every key under the KEY prefix into the DEST directory'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l no-progress -d 'No progress display (it is shown only when stderr is a terminal)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l list-v2 -d 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l insecure -d 'Do not verify the server\'s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -l raw -d 'Bypass the compress layer: transfer objects exactly as stored'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s v -l verbose -d 'Log every HTTP request on stderr (no secrets)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand get" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s j -l jobs -d 'Parallel transfers for -r, at most 64 (parts of one big file: up to 4)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l meta -d 'Object metadata NAME=VALUE, sent as x-amz-meta-NAME (repeatable)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l url -d 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l endpoint -d 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l fs -d 'Which fs chain of the config to use' -r -f -a "obox\t'plugin/obox_fs (mails)'
index\t'plugin/obox_index_fs (index bundles; falls back to obox_fs)'
fts\t'plugin/fts_dovecot_fs (full-text search)'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l user -d 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l ca-file -d 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l compress -d 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s r -l recursive -d 'Upload every file under the SRC directory below the KEY prefix'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l no-progress -d 'No progress display (it is shown only when stderr is a terminal)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l insecure -d 'Do not verify the server\'s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -l raw -d 'Bypass the compress layer: transfer objects exactly as stored'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s v -l verbose -d 'Log every HTTP request on stderr (no secrets)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand put" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s j -l jobs -d 'Parallel bulk-delete requests for -r' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l url -d 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l endpoint -d 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l fs -d 'Which fs chain of the config to use' -r -f -a "obox\t'plugin/obox_fs (mails)'
index\t'plugin/obox_index_fs (index bundles; falls back to obox_fs)'
fts\t'plugin/fts_dovecot_fs (full-text search)'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l user -d 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l ca-file -d 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l compress -d 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s r -l recursive -d 'Delete every key under each prefix (bulk delete, bulk_delete_limit per request)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l no-progress -d 'No progress display (it is shown only when stderr is a terminal)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l list-v2 -d 'Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l insecure -d 'Do not verify the server\'s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -l raw -d 'Bypass the compress layer: transfer objects exactly as stored'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s v -l verbose -d 'Log every HTTP request on stderr (no secrets)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand rm" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l url -d 'Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l endpoint -d 'Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l fs -d 'Which fs chain of the config to use' -r -f -a "obox\t'plugin/obox_fs (mails)'
index\t'plugin/obox_index_fs (index bundles; falls back to obox_fs)'
fts\t'plugin/fts_dovecot_fs (full-text search)'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l user -d 'User whose %-variables expand the chain (also sent as X-Dovecot-Username)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l ca-file -d 'PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l compress -d 'Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)' -r
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l json -d 'Print one JSON object'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l insecure -d 'Do not verify the server\'s TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -l raw -d 'Bypass the compress layer: transfer objects exactly as stored'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -s v -l verbose -d 'Log every HTTP request on stderr (no secrets)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand stat" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand completions" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand completions" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand completions" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand completions" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -l out-dir -d 'Directory to write obox-cli.1 and one page per subcommand into' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -l completions-dir -d 'Also write the shell completions into this directory' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -l rules-doc -d 'Also write the lint rule reference (every rule\'s documentation, Markdown) to this file; the project keeps it as docs/rules.md' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -s c -l config -d 'dovecot.conf to read [default: /etc/dovecot/dovecot.conf]' -r -F
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -l color -d 'When to colour output; NO_COLOR is honoured with `auto`' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -s P -l show-secrets -d 'Print passwords, secret keys and tokens instead of hiding them'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand generate-man" -s V -l version -d 'Print version'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "config" -d 'Print the configuration like doveconf (-n style, or chosen keys)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "expand" -d 'Expand %-variable templates for a user, as Dovecot 2.3 does'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "path" -d 'Show where Dovecot keeps each user\'s objects and caches'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "chain" -d 'Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "lint" -d 'Check dovecot.conf for obox misconfigurations'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "rule" -d 'Explain a lint rule (or list them all)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "ls" -d 'List objects in the bucket'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "get" -d 'Download objects'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "put" -d 'Upload objects'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "rm" -d 'Delete objects'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "stat" -d 'Show an object\'s size, ETag, date and Dovecot metadata'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "completions" -d 'Print shell completions'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "generate-man" -d 'Write man pages (hidden; used to regenerate man/)'
complete -c obox-cli -n "__fish_obox_cli_using_subcommand help; and not __fish_seen_subcommand_from config expand path chain lint rule ls get put rm stat completions generate-man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
