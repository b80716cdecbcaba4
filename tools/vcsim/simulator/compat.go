/*
XMS fixes to govmomi 0.24's simulator for pyvmomi 9 clients.  Copied into
the simulator package by tools/vcsim/build.sh (as xms_compat.go) and called
from tools/vcsim/patches/.
*/

package simulator

import (
	"github.com/google/uuid"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// xmsTaskEntity returns what Task.info.entity and info.entityName show for
// a task run on ref.  vSphere reports the managed entity the task acts on:
// the VM for snapshot tasks, nothing for non-entities (managers).  vcsim
// 0.24 reported the snapshot (or manager) itself, which pyvmomi 9 rejects
// when it deserialises TaskInfo (entity must be a vim.ManagedEntity).
func xmsTaskEntity(ref types.ManagedObjectReference) (*types.ManagedObjectReference, string) {
	switch obj := Map.Get(ref).(type) {
	case *VirtualMachineSnapshot:
		vm := obj.Vm
		name := vm.Value
		if e, ok := Map.Get(vm).(mo.Entity); ok {
			name = e.Entity().Name
		}
		return &vm, name
	case mo.Entity:
		return &ref, obj.Entity().Name
	case nil:
		// Not registered (yet): keep vcsim's behaviour.
		return &ref, ref.Value
	default:
		return nil, ""
	}
}

// xmsFillDisks gives the VM's disks what vSphere always reports and vcsim
// 0.24 leaves unset: backing.uuid ("6000C29x-...") and capacityInBytes.
func (vm *VirtualMachine) xmsFillDisks() {
	if vm.Config == nil {
		return
	}
	for _, dev := range vm.Config.Hardware.Device {
		d, ok := dev.(*types.VirtualDisk)
		if !ok {
			continue
		}
		if d.CapacityInBytes == 0 {
			d.CapacityInBytes = d.CapacityInKB * 1024
		}
		if b, ok := d.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok && b.Uuid == "" {
			u := uuid.New()
			u[0], u[1] = 0x60, 0x00
			u[2], u[3] = 0xc2, 0x90|(u[3]&0x0f)
			b.Uuid = u.String()
		}
	}
}

// XMSFillDisks runs xmsFillDisks on every VM of the inventory (main calls
// it once the model is created).
func XMSFillDisks() {
	for _, obj := range Map.All("VirtualMachine") {
		if vm, ok := obj.(*VirtualMachine); ok {
			vm.xmsFillDisks()
		}
	}
}
