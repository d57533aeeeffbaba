# fish completion for p2p-ctl
set -l cmds nodeinfo peers add remove trust untrust events send disconnects dials table limits reload call
complete -c p2p-ctl -f
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a nodeinfo -d 'Our node (admin_nodeInfo)'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a peers -d 'The peers, one line each'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a add -d 'Make a node static; --wait dials now'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a remove -d 'No longer static, disconnected'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a trust -d 'Let a node in above the limits'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a untrust -d 'No longer trusted'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a events -d 'Peer events until interrupted'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a send -d 'A message to a peer'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a disconnects -d 'Failed connections and dropped peers'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a dials -d 'Dial slots, static nodes, history'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a table -d 'The discovery table'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a limits -d 'Show or change the peer limits'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a reload -d 'Read the node lists again'
complete -c p2p-ctl -n "not __fish_seen_subcommand_from $cmds" -a call -d 'Any method with JSON params'
complete -c p2p-ctl -n "__fish_seen_subcommand_from call" -a 'rpc_modules admin_nodeInfo admin_peers admin_addPeer admin_removePeer admin_addTrustedPeer admin_removeTrustedPeer admin_datadir admin_subscribe admin_unsubscribe p2p_connect p2p_disconnects p2p_dialState p2p_table p2p_send p2p_setLimits p2p_reload'
complete -c p2p-ctl -l control -r -F -d "The daemon's control socket"
complete -c p2p-ctl -l datadir -x -a '(__fish_complete_directories)' -d "The daemon's data directory"
complete -c p2p-ctl -l timeout -x -d 'Wait at most DUR for an answer'
complete -c p2p-ctl -n '__fish_seen_subcommand_from add' -l wait -d 'Dial now and print the outcome'
complete -c p2p-ctl -n '__fish_seen_subcommand_from events' -l data -d 'Include message payloads'
complete -c p2p-ctl -n '__fish_seen_subcommand_from send' -l cap -x -d 'The capability of CODE (name/version)'
complete -c p2p-ctl -n '__fish_seen_subcommand_from limits' -l maxpeers -x -d 'Peers in all'
complete -c p2p-ctl -n '__fish_seen_subcommand_from limits' -l maxpendpeers -x -d 'Handshakes accepted at once'
complete -c p2p-ctl -n '__fish_seen_subcommand_from limits' -l dialratio -x -d '1/N of maxpeers dialed'
complete -c p2p-ctl -s h -l help -d 'Show help'
complete -c p2p-ctl -s V -l version -d 'Show the version'
