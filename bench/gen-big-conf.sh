#!/bin/bash
# Usage: gen-big-conf.sh PLUGIN_SETTINGS SECTIONS > big.conf
# The shape of shared/oracle/perf.sh's config: one mail_location, an inbox
# namespace, SECTIONS namespaces with a nested mailbox each, and one plugin
# block with obox_fs plus PLUGIN_SETTINGS settings.
set -eu
nplugin=${1:-50000}; nsect=${2:-2000}
awk -v np="$nplugin" -v ns="$nsect" 'BEGIN {
  print "mail_location = obox:%8Mu/%u:INDEX=~/:CONTROL=~/"
  print "namespace inbox {\n  inbox = yes\n  prefix =\n  separator = /\n}"
  for (i = 0; i < ns; i++)
    printf "namespace ns%d {\n  prefix = shared%d/\n  separator = /\n  location = maildir:/srv/shared/%d\n  list = children\n  mailbox \"Box %d\" {\n    auto = subscribe\n    special_use = \\Archive\n  }\n}\n", i, i, i, i
  print "plugin {"
  print "  obox_fs = fscache:512M:/var/cache/mails/%4Nu:compress:zstd:3:aws-s3:https://ACCESSKEY:SECRET@bucket.s3.eu-central-1.amazonaws.com/?region=eu-central-1"
  for (i = 0; i < np; i++)
    printf "  setting_%d = \"value %d for %%u with some padding text\"\n", i, i
  print "}"
}'
