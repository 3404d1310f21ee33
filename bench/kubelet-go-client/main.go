// A kubelet stand-in written with the kubelet's own client stack (gRPC-Go and k8s.io/kubelet's device plugin API):
// it serves Registration on DIR/kubelet.sock, dials the endpoint of the first plugin that registers nvidia.com/gpu,
// opens ListAndWatch, waits -wait, makes -prewarm call pairs back to back if asked, then -n GetPreferredAllocation +
// Allocate pairs -gap apart, and prints Allocate's round trip as this client timed it. Calls minutes apart are what
// a node sees; a Java stand-in would hide what a Go client sends (frames, header coding, PINGs). With -plugin-only
// it is instead a minimal Go device plugin that registers with DIR/kubelet.sock: the floor to compare against.
// Used by bench/device-plugin-go-client.sh; not product code.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	api "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type reg struct {
	api.UnimplementedRegistrationServer
	ch chan *api.RegisterRequest
}

func (r *reg) Register(ctx context.Context, req *api.RegisterRequest) (*api.Empty, error) {
	r.ch <- req
	return &api.Empty{}, nil
}

func main() {
	dir := flag.String("dir", "/tmp/dpk", "")
	n := flag.Int("n", 100, "")
	wait := flag.Duration("wait", 8*time.Second, "")
	pluginOnly := flag.Bool("plugin-only", false, "serve only the minimal Go plugin, registering with dir/kubelet.sock")
	prewarm := flag.Int("prewarm", 0, "calls made back to back by this client before measuring")
	reconnect := flag.Int("reconnect", 0, "a new connection every this many pairs (0: never); its first Allocate is reported apart")
	self := flag.Bool("self", false, "serve a minimal Go plugin too")
	gap := flag.Duration("gap", 100*time.Millisecond, "")
	flag.Parse()
	if *pluginOnly {
		goPlugin(*dir, filepath.Join(*dir, "kubelet.sock"))
		select {}
	}
	os.MkdirAll(*dir, 0o755)
	sock := filepath.Join(*dir, "kubelet.sock")
	os.Remove(sock)
	l, err := net.Listen("unix", sock)
	if err != nil {
		panic(err)
	}
	r := &reg{ch: make(chan *api.RegisterRequest, 10)}
	s := grpc.NewServer()
	api.RegisterRegistrationServer(s, r)
	go s.Serve(l)
	if *self {
		go goPlugin(*dir, sock)
	}
	var req *api.RegisterRequest
	for req = range r.ch {
		if req.ResourceName == "nvidia.com/gpu" {
			break
		}
	}
	conn, c, lw := dial(filepath.Join(*dir, req.Endpoint))
	ids := []string{}
	for _, d := range lw.Devices {
		ids = append(ids, d.ID)
	}
	fmt.Fprintf(os.Stderr, "registered %s with %d devices\n", req.Endpoint, len(ids))
	time.Sleep(*wait) // the agent's own warm-up
	for i := 0; i < *prewarm; i++ {
		c.GetPreferredAllocation(context.Background(), &api.PreferredAllocationRequest{ContainerRequests: []*api.ContainerPreferredAllocationRequest{{AvailableDeviceIDs: ids, AllocationSize: 1}}})
		c.Allocate(context.Background(), &api.AllocateRequest{ContainerRequests: []*api.ContainerAllocateRequest{{DevicesIds: ids[i%len(ids) : i%len(ids)+1]}}})
	}
	if *prewarm > 0 {
		time.Sleep(*wait)
	}
	var ts, firsts []float64
	fresh := false
	for i := 0; i < *n; i++ {
		if *reconnect > 0 && i > 0 && i%*reconnect == 0 {
			// as after a kubelet restart: a new connection with its ListAndWatch stream, then the next pod's calls
			conn.Close()
			time.Sleep(*gap)
			conn, c, _ = dial(filepath.Join(*dir, req.Endpoint))
			fresh = true
		}
		time.Sleep(*gap)
		_, err := c.GetPreferredAllocation(context.Background(), &api.PreferredAllocationRequest{ContainerRequests: []*api.ContainerPreferredAllocationRequest{{AvailableDeviceIDs: ids, AllocationSize: 1}}})
		if err != nil {
			panic(err)
		}
		t0 := time.Now()
		_, err = c.Allocate(context.Background(), &api.AllocateRequest{ContainerRequests: []*api.ContainerAllocateRequest{{DevicesIds: ids[i%len(ids) : i%len(ids)+1]}}})
		if err != nil {
			panic(err)
		}
		ms := float64(time.Since(t0).Microseconds()) / 1000
		if fresh {
			firsts = append(firsts, ms)
			fresh = false
		} else {
			ts = append(ts, ms)
		}
	}
	sort.Float64s(ts)
	fmt.Printf("allocate ms: p50 %.3f p90 %.3f p99 %.3f max %.3f (n=%d, gap %s)", ts[len(ts)/2], ts[len(ts)*9/10], ts[len(ts)*99/100], ts[len(ts)-1], len(ts), *gap)
	if len(firsts) > 0 {
		sort.Float64s(firsts)
		fmt.Printf("; first on a new connection: p50 %.3f max %.3f (n=%d)", firsts[len(firsts)/2], firsts[len(firsts)-1], len(firsts))
	}
	fmt.Println()
}

// dial connects to a plugin socket as the kubelet does and opens its ListAndWatch stream: the first list is returned.
func dial(endpoint string) (*grpc.ClientConn, api.DevicePluginClient, *api.ListAndWatchResponse) {
	conn, err := grpc.NewClient("unix://"+endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	c := api.NewDevicePluginClient(conn)
	stream, err := c.ListAndWatch(context.Background(), &api.Empty{})
	if err != nil {
		panic(err)
	}
	lw, err := stream.Recv()
	if err != nil {
		panic(err)
	}
	return conn, c, lw
}

type plug struct {
	api.UnimplementedDevicePluginServer
}

func (p *plug) GetDevicePluginOptions(context.Context, *api.Empty) (*api.DevicePluginOptions, error) {
	return &api.DevicePluginOptions{GetPreferredAllocationAvailable: true}, nil
}
func (p *plug) ListAndWatch(_ *api.Empty, s api.DevicePlugin_ListAndWatchServer) error {
	devs := []*api.Device{}
	for i := 0; i < 8; i++ {
		devs = append(devs, &api.Device{ID: fmt.Sprintf("GPU-%d", i), Health: "Healthy"})
	}
	s.Send(&api.ListAndWatchResponse{Devices: devs})
	<-s.Context().Done()
	return nil
}
func (p *plug) GetPreferredAllocation(_ context.Context, r *api.PreferredAllocationRequest) (*api.PreferredAllocationResponse, error) {
	out := &api.PreferredAllocationResponse{}
	for _, c := range r.ContainerRequests {
		out.ContainerResponses = append(out.ContainerResponses, &api.ContainerPreferredAllocationResponse{DeviceIDs: c.AvailableDeviceIDs[:c.AllocationSize]})
	}
	return out, nil
}
func (p *plug) Allocate(_ context.Context, r *api.AllocateRequest) (*api.AllocateResponse, error) {
	out := &api.AllocateResponse{}
	for _, c := range r.ContainerRequests {
		v := ""
		for i, id := range c.DevicesIds {
			if i > 0 {
				v += ","
			}
			v += id
		}
		out.ContainerResponses = append(out.ContainerResponses, &api.ContainerAllocateResponse{Envs: map[string]string{"NVIDIA_VISIBLE_DEVICES": v}})
	}
	return out, nil
}

func goPlugin(dir, kubelet string) {
	p := filepath.Join(dir, "go-plugin.sock")
	os.Remove(p)
	l, err := net.Listen("unix", p)
	if err != nil {
		panic(err)
	}
	s := grpc.NewServer()
	api.RegisterDevicePluginServer(s, &plug{})
	go s.Serve(l)
	conn, _ := grpc.NewClient("unix://"+kubelet, grpc.WithTransportCredentials(insecure.NewCredentials()))
	api.NewRegistrationClient(conn).Register(context.Background(), &api.RegisterRequest{Version: "v1beta1", Endpoint: "go-plugin.sock", ResourceName: "nvidia.com/gpu"})
}
