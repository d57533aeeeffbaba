# fish completion for p2p-discover
set -l cmds ping requestenr findnode lookup resolve crawl serve
complete -c p2p-discover -f -n "not __fish_seen_subcommand_from $cmds" -a "$cmds"
complete -c p2p-discover -l addr -x -d 'Our UDP endpoint (IP:PORT)'
complete -c p2p-discover -l nodekey -r -F -d 'Our node key file'
complete -c p2p-discover -l nodekeyhex -x -d 'Our node key as 64 hex chars'
complete -c p2p-discover -l bootnodes -x -d 'Enode URLs to start from'
complete -c p2p-discover -l netrestrict -x -d 'Only these networks (CIDRs)'
complete -c p2p-discover -l db -r -F -d 'Node database file'
complete -c p2p-discover -l timeout -x -d 'Give up after DUR'
complete -c p2p-discover -l concurrency -x -d 'Crawl: nodes asked at once'
complete -c p2p-discover -l refresh -x -d 'Serve: table refresh interval'
complete -c p2p-discover -l extip -x -d 'The address to announce'
complete -c p2p-discover -l tcp -x -d 'Serve: announce this TCP port'
complete -c p2p-discover -l pidfile -r -F -d 'Serve: write our pid to FILE once listening'
complete -c p2p-discover -l detach -d 'Serve: run in the background; return once listening'
complete -c p2p-discover -s h -l help -d 'Show help'
complete -c p2p-discover -s V -l version -d 'Show the version'
