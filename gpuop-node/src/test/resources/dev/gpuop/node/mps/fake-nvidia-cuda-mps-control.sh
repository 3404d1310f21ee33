#!/bin/sh
# A stand-in for the driver's nvidia-cuda-mps-control on machines without a GPU, with its interface as the node
# agent uses it: `-d` starts a daemon for the pipe directory in CUDA_MPS_PIPE_DIRECTORY (refused while one runs
# there), and without arguments it sends the line on stdin to that daemon, printing the answer, and fails when no
# daemon runs. Every call is appended to $CUDA_MPS_LOG_DIRECTORY/calls for the test to read. A file `refuse` in the
# log directory makes `-d` fail as a daemon without a usable GPU does.
pipe=$CUDA_MPS_PIPE_DIRECTORY
calls=$CUDA_MPS_LOG_DIRECTORY/calls
if [ "$1" = -d ]; then
	if [ -f "$CUDA_MPS_LOG_DIRECTORY/refuse" ]; then
		echo "cannot start the MPS daemon: $(cat "$CUDA_MPS_LOG_DIRECTORY/refuse")"
		exit 1
	fi
	if [ -f "$pipe/control" ]; then
		echo "An instance of this daemon is already running"
		exit 1
	fi
	echo "-d CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES LD_LIBRARY_PATH=$LD_LIBRARY_PATH PATH=$PATH" >>"$calls"
	: >"$pipe/control"
	exit 0
fi
[ -f "$pipe/control" ] || exit 1
read -r command
echo "$command" >>"$calls"
case "$command" in
get_default_active_thread_percentage) cat "$pipe/share" 2>/dev/null || echo 100.0 ;;
"set_default_active_thread_percentage "*) echo "${command#* }.0" >"$pipe/share" ;;
quit) rm -f "$pipe/control" "$pipe/share" ;;
esac
