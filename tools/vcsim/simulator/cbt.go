/*
XMS extension to govmomi's vCenter simulator: frozen snapshot disks and
Changed Block Tracking (VirtualMachine.QueryChangedDiskAreas).

This file is copied into the simulator package by tools/vcsim/build.sh (as
xms_cbt.go); tools/vcsim/patches/ adds the calls into it from
virtual_machine.go and snapshot.go.

The model, following what vSphere does:

  - CreateSnapshot freezes every disk of the VM: the live "-flat.vmdk" is
    copied (sparse: all-zero blocks are not written) to
    "<disk>-NNNNNN-flat.vmdk" next to it with a descriptor
    "<disk>-NNNNNN.vmdk".  The snapshot's config.hardware shows the disk
    backed by the frozen copy, so reading that file (over the datastore's
    /folder HTTPS URL, say) gives the disk as it was when the snapshot was
    taken while the VM keeps writing its live disk.  RemoveSnapshot deletes
    the frozen copy.
  - While config.changeTrackingEnabled is true, every disk has a change
    tracking epoch (a random UUID shown as "52 xx xx xx xx xx xx xx-xx xx xx
    xx xx xx xx xx") and a sequence number.  Each snapshot records, per
    disk, a new change id "<epoch>/<seq>" with a digest of every block
    (cbtBlockSize bytes; all-zero blocks are recorded as unallocated) of the
    frozen content.  The change id shows as backing.changeId of the disk in
    the snapshot's config and in the VM's live config.  Enabling CBT also
    records "<epoch>/0" for the content at that moment.
  - QueryChangedDiskAreas(snapshot, deviceKey, startOffset, changeId)
    returns the blocks whose content differs between the snapshot's frozen
    disk and the state recorded at changeId, merged into runs; changeId "*"
    returns the allocated (non-zero) blocks.  Results are paged like
    vSphere: at most cbtMaxAreas areas and cbtMaxSpan bytes per call, the
    returned length tells where the page ends.
  - Disabling CBT forgets every change id; re-enabling starts a new epoch.
    A change id of another epoch, or one never issued, raises
    vim.fault.FileFault ("Error caused by file <disk>"), as vSphere does
    when its change tracking data cannot answer the query.
*/

package simulator

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Tunables (see SetCBTLimits).
var (
	cbtBlockSize int64 = 64 * 1024
	cbtMaxAreas        = 4096
	cbtMaxSpan   int64 = 1 << 40 // 1 TiB per call
)

// SetCBTLimits sets the change tracking block size and the paging limits of
// QueryChangedDiskAreas.  Zero or negative values keep the current setting.
func SetCBTLimits(blockSize int64, maxAreas int, maxSpan int64) {
	if blockSize > 0 {
		cbtBlockSize = blockSize
	}
	if maxAreas > 0 {
		cbtMaxAreas = maxAreas
	}
	if maxSpan > 0 {
		cbtMaxSpan = maxSpan
	}
}

// cbtDigest is the SHA-1 of one block; the zero value marks an all-zero
// (unallocated) block.
type cbtDigest [sha1.Size]byte

// cbtRecord is the content of a disk at one point in time, as digests.
type cbtRecord struct {
	size      int64
	blockSize int64
	digests   []cbtDigest
}

// cbtDisk is the change tracking state of one disk of one VM.
type cbtDisk struct {
	epoch   string
	seq     int
	records map[int]*cbtRecord
}

func (d *cbtDisk) changeID() string {
	return fmt.Sprintf("%s/%d", d.epoch, d.seq)
}

// frozenDisk is the frozen copy of one disk taken by a snapshot.
type frozenDisk struct {
	key        int32
	dsPath     string // "[ds] dir/disk1-000001.vmdk"
	descriptor string // local path of the descriptor
	flat       string // local path of the -flat.vmdk
	liveFile   string // local path of the live disk's descriptor
	changeID   string // "" when CBT was disabled
	record     *cbtRecord
}

var cbt = struct {
	sync.Mutex
	disks  map[types.ManagedObjectReference]map[int32]*cbtDisk
	frozen map[types.ManagedObjectReference]*frozenSnapshot
}{
	disks:  make(map[types.ManagedObjectReference]map[int32]*cbtDisk),
	frozen: make(map[types.ManagedObjectReference]*frozenSnapshot),
}

// frozenSnapshot is the frozen disks of one snapshot of vm.
type frozenSnapshot struct {
	vm    types.ManagedObjectReference
	disks []*frozenDisk
}

func newCBTEpoch() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[0] = 0x52
	parts := make([]string, 16)
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts[:8], " ") + "-" + strings.Join(parts[8:], " ")
}

func (vm *VirtualMachine) xmsCBTEnabled() bool {
	return vm.Config != nil && vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
}

func diskCapacity(d *types.VirtualDisk) int64 {
	if d.CapacityInBytes > 0 {
		return d.CapacityInBytes
	}
	return d.CapacityInKB * 1024
}

func diskFileName(d *types.VirtualDisk) string {
	if b, ok := d.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
		return b.GetVirtualDeviceFileBackingInfo().FileName
	}
	return ""
}

// setDiskChangeID sets backing.changeId for the backings that have one.
func setDiskChangeID(d *types.VirtualDisk, id string) {
	switch b := d.Backing.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		b.ChangeId = id
	case *types.VirtualDiskSeSparseBackingInfo:
		b.ChangeId = id
	case *types.VirtualDiskSparseVer2BackingInfo:
		b.ChangeId = id
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		b.ChangeId = id
	}
}

// cloneDisk copies a disk and its backing, so that a snapshot's config does
// not share them with the VM's live config.
func cloneDisk(d *types.VirtualDisk) *types.VirtualDisk {
	c := *d
	switch b := d.Backing.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		bc := *b
		c.Backing = &bc
	case *types.VirtualDiskSeSparseBackingInfo:
		bc := *b
		c.Backing = &bc
	case *types.VirtualDiskSparseVer2BackingInfo:
		bc := *b
		c.Backing = &bc
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		bc := *b
		c.Backing = &bc
	}
	return &c
}

func (vm *VirtualMachine) xmsDisks() []*types.VirtualDisk {
	var disks []*types.VirtualDisk
	for _, dev := range vm.Config.Hardware.Device {
		if d, ok := dev.(*types.VirtualDisk); ok {
			disks = append(disks, d)
		}
	}
	return disks
}

// xmsLocalPath maps "[ds] dir/file" to its path on this machine.
func (vm *VirtualMachine) xmsLocalPath(dsPath string) (string, types.BaseMethodFault) {
	p, fault := parseDatastorePath(dsPath)
	if fault != nil {
		return "", fault
	}
	ds := vm.findDatastore(p.Datastore)
	return path.Join(ds.Info.GetDatastoreInfo().Url, p.Path), nil
}

var extentLine = regexp.MustCompile(`^\s*RW\s+\d+\s+(FLAT|VMFS)\s+"([^"]+)"`)

// flatFile returns the data file of a disk descriptor: the extent named in
// a text descriptor, else "<name>-flat.vmdk" as ESXi names it (vcsim's own
// placeholders are empty files).
func flatFile(descriptor string) string {
	if f, err := os.Open(descriptor); err == nil {
		buf := make([]byte, 64*1024)
		n, _ := io.ReadFull(f, buf)
		_ = f.Close()
		text := string(buf[:n])
		if strings.Contains(text, "# Disk DescriptorFile") {
			for _, line := range strings.Split(text, "\n") {
				if m := extentLine.FindStringSubmatch(line); m != nil {
					return filepath.Join(filepath.Dir(descriptor), m[2])
				}
			}
		}
	}
	return strings.TrimSuffix(descriptor, ".vmdk") + "-flat.vmdk"
}

const (
	seekData = 3 // SEEK_DATA
	seekHole = 4 // SEEK_HOLE
)

// dataSegment returns the next [start, end) of src holding data at or after
// off (sparse files), ok=false when only holes remain.
func dataSegment(f *os.File, off, fileSize int64) (int64, int64, bool) {
	if off >= fileSize {
		return 0, 0, false
	}
	start, err := f.Seek(off, seekData)
	if err != nil {
		if errors.Is(err, syscall.ENXIO) {
			return 0, 0, false
		}
		return off, fileSize, true // no SEEK_DATA: everything is data
	}
	end, err := f.Seek(start, seekHole)
	if err != nil {
		end = fileSize
	}
	return start, end, true
}

// scanDisk reads size bytes of src (missing file or bytes past its end read
// as zeros), returns their block digests and, when dst is not empty, writes
// a sparse copy to dst.
func scanDisk(src string, size int64, dst string) (*cbtRecord, error) {
	bs := cbtBlockSize
	nblocks := (size + bs - 1) / bs
	rec := &cbtRecord{size: size, blockSize: bs, digests: make([]cbtDigest, nblocks)}

	var out *os.File
	if dst != "" {
		var err error
		out, err = os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return nil, err
		}
		defer out.Close()
	}

	in, err := os.Open(src)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if in != nil {
		defer in.Close()
		st, err := in.Stat()
		if err != nil {
			return nil, err
		}
		fileSize := st.Size()
		buf := make([]byte, bs)
		zero := make([]byte, bs)
		var segStart, segEnd int64
		more := true
		for b := int64(0); b < nblocks && more; b++ {
			off := b * bs
			n := bs
			if off+n > size {
				n = size - off
			}
			for more && segEnd <= off {
				segStart, segEnd, more = dataSegment(in, off, fileSize)
			}
			if !more {
				break
			}
			if segStart >= off+n {
				continue // the whole block is a hole
			}
			got, err := in.ReadAt(buf[:n], off)
			if err != nil && err != io.EOF {
				return nil, err
			}
			copy(buf[got:n], zero)
			if bytes.Equal(buf[:n], zero[:n]) {
				continue
			}
			rec.digests[b] = sha1.Sum(buf[:n])
			if out != nil {
				if _, err := out.WriteAt(buf[:n], off); err != nil {
					return nil, err
				}
			}
		}
	}
	if out != nil {
		if err := out.Truncate(size); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

func writeDescriptor(descriptor, flatName string, size int64) error {
	var cid [4]byte
	_, _ = rand.Read(cid[:])
	text := fmt.Sprintf(`# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=%x
parentCID=ffffffff
createType="vmfs"

# Extent description
RW %d VMFS "%s"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.virtualHWVersion = "13"
`, cid, (size+511)/512, flatName)
	return os.WriteFile(descriptor, []byte(text), 0o644)
}

// frozenName picks the first free "<stem>-NNNNNN.vmdk" next to live.
func frozenName(live string) (string, string) {
	stem := strings.TrimSuffix(live, ".vmdk")
	for i := 1; ; i++ {
		d := fmt.Sprintf("%s-%06d.vmdk", stem, i)
		f := fmt.Sprintf("%s-%06d-flat.vmdk", stem, i)
		if _, err := os.Stat(d); os.IsNotExist(err) {
			if _, err := os.Stat(f); os.IsNotExist(err) {
				return d, f
			}
		}
	}
}

func (vm *VirtualMachine) fileFault(file string) types.BaseMethodFault {
	return &types.FileFault{File: file}
}

// xmsVMDisksLocked returns (creating it) the CBT state of the VM's disks.
// Caller holds cbt.
func (vm *VirtualMachine) xmsVMDisksLocked() map[int32]*cbtDisk {
	disks := cbt.disks[vm.Self]
	if disks == nil {
		disks = make(map[int32]*cbtDisk)
		cbt.disks[vm.Self] = disks
	}
	return disks
}

// xmsStartTracking starts a new epoch for a disk, recording its current
// content as "<epoch>/0".  Caller holds cbt.
func (vm *VirtualMachine) xmsStartTracking(d *types.VirtualDisk) (*cbtDisk, types.BaseMethodFault) {
	state := &cbtDisk{epoch: newCBTEpoch(), records: make(map[int]*cbtRecord)}
	live, fault := vm.xmsLocalPath(diskFileName(d))
	if fault != nil {
		return nil, fault
	}
	rec, err := scanDisk(flatFile(live), diskCapacity(d), "")
	if err != nil {
		log.Printf("xms cbt: scanning %s: %s", live, err)
		return nil, vm.fileFault(live)
	}
	state.records[0] = rec
	vm.xmsVMDisksLocked()[d.Key] = state
	return state, nil
}

func (vm *VirtualMachine) xmsPublishDevices() {
	Map.Update(vm, []types.PropertyChange{
		{Name: "config.hardware.device", Val: vm.Config.Hardware.Device},
	})
}

// xmsAfterReconfigure is called (by the patched ReconfigVM_Task) after a
// successful reconfiguration: it starts or stops change tracking when
// config.changeTrackingEnabled changed and keeps backing.changeId of the
// live disks (a device edit replaces the backing with the client's copy).
func (vm *VirtualMachine) xmsAfterReconfigure(wasEnabled bool) types.BaseMethodFault {
	vm.xmsFillDisks() // disks added by this reconfiguration
	cbt.Lock()
	defer cbt.Unlock()

	enabled := vm.xmsCBTEnabled()
	if !enabled {
		delete(cbt.disks, vm.Self)
		for _, d := range vm.xmsDisks() {
			setDiskChangeID(d, "")
		}
		vm.xmsPublishDevices()
		return nil
	}
	if !wasEnabled {
		delete(cbt.disks, vm.Self)
	}
	states := vm.xmsVMDisksLocked()
	for _, d := range vm.xmsDisks() {
		state := states[d.Key]
		if state == nil {
			var fault types.BaseMethodFault
			if state, fault = vm.xmsStartTracking(d); fault != nil {
				return fault
			}
		}
		setDiskChangeID(d, state.changeID())
	}
	vm.xmsPublishDevices()
	return nil
}

// xmsSnapshotCreated is called (by the patched CreateSnapshot_Task) once the
// snapshot object exists: it freezes every disk and, with CBT enabled,
// records a new change id per disk.
func (vm *VirtualMachine) xmsSnapshotCreated(s *VirtualMachineSnapshot) types.BaseMethodFault {
	cbt.Lock()
	defer cbt.Unlock()

	enabled := vm.xmsCBTEnabled()
	devices := make([]types.BaseVirtualDevice, len(s.Config.Hardware.Device))
	copy(devices, s.Config.Hardware.Device)
	var frozen []*frozenDisk
	fail := func(fault types.BaseMethodFault) types.BaseMethodFault {
		for _, f := range frozen {
			_ = os.Remove(f.descriptor)
			_ = os.Remove(f.flat)
		}
		return fault
	}

	for i, dev := range devices {
		live, ok := dev.(*types.VirtualDisk)
		if !ok || diskFileName(live) == "" {
			continue
		}
		disk := cloneDisk(live)
		devices[i] = disk

		liveDesc, fault := vm.xmsLocalPath(diskFileName(live))
		if fault != nil {
			return fail(fault)
		}
		desc, flat := frozenName(liveDesc)
		size := diskCapacity(live)
		rec, err := scanDisk(flatFile(liveDesc), size, flat)
		if err == nil {
			err = writeDescriptor(desc, filepath.Base(flat), size)
		}
		if err != nil {
			log.Printf("xms cbt: freezing %s: %s", liveDesc, err)
			_ = os.Remove(flat)
			return fail(vm.fileFault(liveDesc))
		}
		p, _ := parseDatastorePath(diskFileName(live))
		dsPath := object.DatastorePath{
			Datastore: p.Datastore,
			Path:      path.Join(path.Dir(p.Path), filepath.Base(desc)),
		}
		f := &frozenDisk{
			key: live.Key, dsPath: dsPath.String(), descriptor: desc,
			flat: flat, liveFile: liveDesc, record: rec,
		}
		disk.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo().FileName = f.dsPath

		if enabled {
			states := vm.xmsVMDisksLocked()
			state := states[live.Key]
			if state == nil {
				// A disk added while CBT was on: its tracking starts now.
				state = &cbtDisk{epoch: newCBTEpoch(), records: make(map[int]*cbtRecord)}
				states[live.Key] = state
			}
			state.seq++
			state.records[state.seq] = rec
			f.changeID = state.changeID()
			setDiskChangeID(live, f.changeID)
		}
		setDiskChangeID(disk, f.changeID)
		frozen = append(frozen, f)
	}

	s.Config.Hardware.Device = devices
	cbt.frozen[s.Self] = &frozenSnapshot{vm: vm.Self, disks: frozen}
	if enabled {
		vm.xmsPublishDevices()
	}
	return nil
}

// xmsSnapshotRemoved is called (by the patched removeSnapshotFiles) when a
// snapshot goes away: its frozen disks are deleted.  Change ids it recorded
// stay valid, as in vSphere.
func (vm *VirtualMachine) xmsSnapshotRemoved(s types.ManagedObjectReference) {
	cbt.Lock()
	defer cbt.Unlock()
	removeFrozenLocked(s)
}

func removeFrozenLocked(s types.ManagedObjectReference) {
	if fs := cbt.frozen[s]; fs != nil {
		for _, f := range fs.disks {
			_ = os.Remove(f.descriptor)
			_ = os.Remove(f.flat)
		}
	}
	delete(cbt.frozen, s)
}

// xmsSweepFrozen is called (by the patched RemoveSnapshot_Task) once the
// snapshot tree is updated: it deletes the frozen disks of snapshots no
// longer in the tree (the children removed with removeChildren=true).
func (vm *VirtualMachine) xmsSweepFrozen() {
	cbt.Lock()
	defer cbt.Unlock()
	alive := make(map[types.ManagedObjectReference]bool)
	if vm.Snapshot != nil {
		for _, ref := range allSnapshotsInTree(vm.Snapshot.RootSnapshotList) {
			alive[ref] = true
		}
	}
	for ref, fs := range cbt.frozen {
		if fs.vm == vm.Self && !alive[ref] {
			removeFrozenLocked(ref)
		}
	}
}

func invalidArgument(property string) types.BaseMethodFault {
	return &types.InvalidArgument{InvalidProperty: property}
}

func (vm *VirtualMachine) queryChangedDiskAreas(req *types.QueryChangedDiskAreas) (*types.DiskChangeInfo, string, types.BaseMethodFault) {
	cbt.Lock()
	defer cbt.Unlock()

	var disk *types.VirtualDisk
	var rec *cbtRecord
	var snapChangeID string
	var liveFile string

	if req.Snapshot != nil {
		snap, ok := Map.Get(*req.Snapshot).(*VirtualMachineSnapshot)
		if !ok || snap.Vm != vm.Self {
			return nil, "The object or item referred to could not be found.", &types.NotFound{}
		}
		var frozen []*frozenDisk
		if fs := cbt.frozen[snap.Self]; fs != nil {
			frozen = fs.disks
		}
		for _, f := range frozen {
			if f.key == req.DeviceKey {
				rec, snapChangeID, liveFile = f.record, f.changeID, f.liveFile
			}
		}
		for _, dev := range snap.Config.Hardware.Device {
			if d, ok := dev.(*types.VirtualDisk); ok && d.Key == req.DeviceKey {
				disk = d
			}
		}
	} else {
		for _, d := range vm.xmsDisks() {
			if d.Key == req.DeviceKey {
				disk = d
			}
		}
	}
	if disk == nil {
		return nil, "A specified parameter was not correct: deviceKey", invalidArgument("deviceKey")
	}

	if liveFile == "" {
		if p, fault := vm.xmsLocalPath(diskFileName(disk)); fault == nil {
			liveFile = p
		}
	}
	fileFault := func() (*types.DiskChangeInfo, string, types.BaseMethodFault) {
		return nil, "Error caused by file " + liveFile, vm.fileFault(liveFile)
	}

	state := cbt.disks[vm.Self][req.DeviceKey]
	if !vm.xmsCBTEnabled() || state == nil {
		return fileFault()
	}

	if req.Snapshot == nil {
		// The VM's current state: what the live disk holds now.
		var err error
		if rec, err = scanDisk(flatFile(liveFile), diskCapacity(disk), ""); err != nil {
			return fileFault()
		}
		snapChangeID = state.changeID()
	}
	if rec == nil || snapChangeID == "" || !strings.HasPrefix(snapChangeID, state.epoch+"/") {
		// Snapshot taken without CBT, or before a CBT reset.
		return fileFault()
	}

	var base *cbtRecord
	if req.ChangeId != "*" {
		i := strings.LastIndex(req.ChangeId, "/")
		if i < 0 || req.ChangeId[:i] != state.epoch {
			return fileFault()
		}
		seq, err := strconv.Atoi(req.ChangeId[i+1:])
		if err != nil || state.records[seq] == nil {
			return fileFault()
		}
		base = state.records[seq]
	}

	if req.StartOffset < 0 || req.StartOffset >= rec.size {
		return nil, "A specified parameter was not correct: startOffset", invalidArgument("startOffset")
	}

	info := changedAreas(rec, base, req.StartOffset)
	return info, "", nil
}

// changedAreas lists the blocks of rec that differ from base (nil: from an
// all-zero disk) in one page starting at start.
func changedAreas(rec, base *cbtRecord, start int64) *types.DiskChangeInfo {
	bs := rec.blockSize
	end := rec.size
	if cbtMaxSpan > 0 && start+cbtMaxSpan < end {
		end = start + cbtMaxSpan
	}
	var areas []types.DiskChangeExtent
	var zero cbtDigest
	for b := start / bs; b*bs < end; b++ {
		old := zero
		if base != nil && base.blockSize == bs && b < int64(len(base.digests)) {
			old = base.digests[b]
		} else if base != nil && base.blockSize != bs {
			old[0] = 1 // incomparable records: report everything
		}
		if rec.digests[b] == old {
			continue
		}
		s := b * bs
		if s < start {
			s = start
		}
		e := (b + 1) * bs
		if e > end {
			e = end
		}
		if n := len(areas); n > 0 && areas[n-1].Start+areas[n-1].Length == s {
			areas[n-1].Length = e - areas[n-1].Start
			continue
		}
		if len(areas) == cbtMaxAreas {
			end = s
			break
		}
		areas = append(areas, types.DiskChangeExtent{Start: s, Length: e - s})
	}
	return &types.DiskChangeInfo{StartOffset: start, Length: end - start, ChangedArea: areas}
}

// QueryChangedDiskAreas implements VirtualMachine.QueryChangedDiskAreas.
func (vm *VirtualMachine) QueryChangedDiskAreas(ctx *Context, req *types.QueryChangedDiskAreas) soap.HasFault {
	body := &methods.QueryChangedDiskAreasBody{}
	info, msg, fault := vm.queryChangedDiskAreas(req)
	if fault != nil {
		body.Fault_ = Fault(msg, fault)
		return body
	}
	body.Res = &types.QueryChangedDiskAreasResponse{Returnval: *info}
	return body
}
