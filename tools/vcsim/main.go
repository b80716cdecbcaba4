// Command vcsim runs VMware's vCenter/ESXi simulator (govmomi's simulator
// package, as shipped by Debian's golang-github-vmware-govmomi-dev) for the
// XMS test suite.
//
// Debian ships the simulator library but not upstream's vcsim command, so
// this is our own small main.  It is built by tools/vcsim/build.sh together
// with the XMS extensions in tools/vcsim/simulator/ (Changed Block Tracking).
//
// Once the server listens, an "info" JSON document is written to the file
// named by -info (atomically: written to a temporary name then renamed), so
// a test fixture can wait for the file and learn the URL, the port picked by
// the kernel (-l 127.0.0.1:0), the TLS certificate and the datastore paths.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"

	// Register the lookup, vAPI and PBM endpoints, as upstream vcsim does.
	_ "github.com/vmware/govmomi/lookup/simulator"
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

type info struct {
	URL        string            `json:"url"`
	Host       string            `json:"host"`
	Port       int               `json:"port"`
	TLS        bool              `json:"tls"`
	CertFile   string            `json:"cert_file,omitempty"`
	Thumbprint string            `json:"thumbprint,omitempty"`
	Datastores map[string]string `json:"datastores"`
	PID        int               `json:"pid"`
	Version    string            `json:"version"`
}

func thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// selfSigned creates an ECDSA P-256 certificate for 127.0.0.1 and
// localhost, writes cert.pem and key.pem into dir and returns the pair.
func selfSigned(dir string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"XMS vcsim"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * 365 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

func writeInfo(path string, in *info) error {
	data, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address (port 0: the kernel picks a free port, see -info)")
	tlsMode := flag.String("tls", "auto", "TLS: 'auto' (self-signed certificate written to -cert-dir), 'files' (-cert/-key) or 'off'")
	certDir := flag.String("cert-dir", "", "directory where -tls auto writes cert.pem/key.pem (default: a temp dir)")
	certFile := flag.String("cert", "", "PEM certificate for -tls files")
	keyFile := flag.String("key", "", "PEM key for -tls files")
	esx := flag.Bool("esx", false, "simulate a standalone ESXi host instead of vCenter")
	dc := flag.Int("dc", 1, "number of datacenters (VPX)")
	cluster := flag.Int("cluster", 1, "number of clusters per datacenter (VPX)")
	clusterHost := flag.Int("host", 3, "number of hosts per cluster (VPX)")
	standalone := flag.Int("standalone-host", 1, "number of standalone hosts per datacenter (VPX)")
	vms := flag.Int("vm", 2, "number of VMs per resource pool")
	ds := flag.Int("ds", 1, "number of datastores")
	pool := flag.Int("pool", 0, "number of child resource pools per cluster")
	pg := flag.Int("pg", 1, "number of distributed port groups per datacenter")
	username := flag.String("username", "user", "login user name")
	password := flag.String("password", "pass", "login password")
	cbtBlock := flag.Int64("cbt-block-size", 64*1024, "Changed Block Tracking block size in bytes")
	cbtAreas := flag.Int("cbt-max-areas", 4096, "QueryChangedDiskAreas: most areas returned per call")
	cbtSpan := flag.Int64("cbt-max-span", 1<<40, "QueryChangedDiskAreas: most bytes of disk covered per call")
	watchStdin := flag.Bool("exit-on-stdin-eof", false, "exit (cleaning up) when stdin reaches EOF, e.g. when the test process that holds the pipe dies")
	infoFile := flag.String("info", "", "write a JSON document describing the running server to this file")
	flag.Parse()

	simulator.SetCBTLimits(*cbtBlock, *cbtAreas, *cbtSpan)

	var model *simulator.Model
	if *esx {
		model = simulator.ESX()
		model.Datastore = *ds
		model.Machine = *vms
	} else {
		model = simulator.VPX()
		model.Datacenter = *dc
		model.Cluster = *cluster
		model.ClusterHost = *clusterHost
		model.Host = *standalone
		model.Machine = *vms
		model.Datastore = *ds
		model.Pool = *pool
		model.Portgroup = *pg
	}

	if err := model.Create(); err != nil {
		log.Fatalf("creating model: %s", err)
	}
	simulator.XMSFillDisks()

	u := &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	model.Service.Listen = u
	model.Service.RegisterEndpoints = true

	var in info
	switch *tlsMode {
	case "off":
	case "auto", "files":
		var cert tls.Certificate
		var err error
		var pemPath string
		if *tlsMode == "auto" {
			dir := *certDir
			if dir == "" {
				dir, err = os.MkdirTemp("", "xms-vcsim-tls-")
				if err != nil {
					log.Fatal(err)
				}
			}
			cert, err = selfSigned(dir)
			pemPath = filepath.Join(dir, "cert.pem")
		} else {
			cert, err = tls.LoadX509KeyPair(*certFile, *keyFile)
			pemPath = *certFile
		}
		if err != nil {
			log.Fatalf("TLS: %s", err)
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		in.TLS = true
		in.CertFile, _ = filepath.Abs(pemPath)
		in.Thumbprint = thumbprint(cert.Certificate[0])
	default:
		log.Fatalf("unknown -tls mode %q", *tlsMode)
	}

	server := model.Service.NewServer()

	// server.URL is also what SessionManager.Login checks the credentials
	// against: print a copy without them.
	public := *server.URL
	public.User = nil
	in.URL = public.String()
	in.Host = server.URL.Hostname()
	fmt.Sscanf(server.URL.Port(), "%d", &in.Port)
	in.PID = os.Getpid()
	in.Version = model.ServiceContent.About.Version
	in.Datastores = map[string]string{}
	for _, obj := range simulator.Map.All("Datastore") {
		d := obj.(*simulator.Datastore)
		in.Datastores[d.Name] = d.Info.GetDatastoreInfo().Url
	}

	if *infoFile != "" {
		if err := writeInfo(*infoFile, &in); err != nil {
			log.Fatalf("writing %s: %s", *infoFile, err)
		}
	}
	fmt.Printf("vcsim listening on %s (user %s)\n", public.String(), *username)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			sig <- syscall.SIGTERM
		}()
	}
	<-sig

	server.Close()
	model.Remove()
}
