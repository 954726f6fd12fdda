package main

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

const gpuResource corev1.ResourceName = "nvidia.com/gpu"

// workload is a pod template with the kind/name it belongs to.
type workload struct {
	id       string
	kind     string
	name     string
	replicas *int32
	pod      corev1.PodTemplateSpec
	serves   bool // long-running (probes required), not a Job
	// claimTemplates: a StatefulSet's volumeClaimTemplates, volumes its pods mount without declaring.
	claimTemplates map[string]bool
}

// policy checks what the production manifests promise on top of the API types: every container probed,
// bounded and locked down, every HPA/PDB aimed at a workload, every ConfigMap/PVC a pod names rendered
// alongside it, every GPU pod able to land on the tainted GPU nodes, the gateway's supergraph read from a ConfigMap. One rendered kustomization at a time.
func policy(objs []runtime.Object) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var workloads []workload
	configMaps, claims := map[string]bool{}, map[string]bool{}
	var hpas []*autoscalingv2.HorizontalPodAutoscaler
	var pdbs []*policyv1.PodDisruptionBudget
	for _, o := range objs {
		switch v := o.(type) {
		case *appsv1.Deployment:
			workloads = append(workloads, workload{"Deployment/" + v.Name, "Deployment", v.Name, v.Spec.Replicas, v.Spec.Template, true, nil})
		case *appsv1.StatefulSet:
			templates := map[string]bool{}
			for _, t := range v.Spec.VolumeClaimTemplates {
				templates[t.Name] = true
			}
			workloads = append(workloads, workload{"StatefulSet/" + v.Name, "StatefulSet", v.Name, v.Spec.Replicas, v.Spec.Template, true, templates})
		case *batchv1.Job:
			workloads = append(workloads, workload{"Job/" + v.Name, "Job", v.Name, nil, v.Spec.Template, false, nil})
		case *batchv1.CronJob:
			workloads = append(workloads, workload{"CronJob/" + v.Name, "CronJob", v.Name, nil, v.Spec.JobTemplate.Spec.Template, false, nil})
		case *corev1.ConfigMap:
			configMaps[v.Name] = true
		case *corev1.PersistentVolumeClaim:
			claims[v.Name] = true
		case *autoscalingv2.HorizontalPodAutoscaler:
			hpas = append(hpas, v)
		case *policyv1.PodDisruptionBudget:
			pdbs = append(pdbs, v)
		}
	}

	for _, w := range workloads {
		for _, p := range podProblems(w, configMaps, claims) {
			fail("%s: %s", w.id, p)
		}
	}
	for _, h := range hpas {
		ref := h.Spec.ScaleTargetRef
		found := false
		for _, w := range workloads {
			if w.kind == ref.Kind && w.name == ref.Name {
				found = true
				if w.replicas != nil {
					fail("HorizontalPodAutoscaler/%s: %s sets replicas, which every apply resets under the HPA", h.Name, w.id)
				}
			}
		}
		if !found {
			fail("HorizontalPodAutoscaler/%s: scales %s/%s, which is not rendered", h.Name, ref.Kind, ref.Name)
		}
		if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			fail("HorizontalPodAutoscaler/%s: minReplicas %d > maxReplicas %d", h.Name, *h.Spec.MinReplicas, h.Spec.MaxReplicas)
		}
	}
	for _, d := range pdbs {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			fail("PodDisruptionBudget/%s: %v", d.Name, err)
			continue
		}
		matched := false
		for _, w := range workloads {
			if w.serves && sel.Matches(labels.Set(w.pod.Labels)) {
				matched = true
			}
		}
		if !matched {
			fail("PodDisruptionBudget/%s: its selector matches no workload's pods", d.Name)
		}
	}
	return problems
}

func podProblems(w workload, configMaps, claims map[string]bool) []string {
	var out []string
	spec := w.pod.Spec
	podNonRoot := spec.SecurityContext != nil && spec.SecurityContext.RunAsNonRoot != nil && *spec.SecurityContext.RunAsNonRoot
	gpu := false
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		at := func(msg string) { out = append(out, fmt.Sprintf("container %s: %s", c.Name, msg)) }
		if w.serves && !isInit(spec, c.Name) {
			if c.ReadinessProbe == nil {
				at("no readinessProbe")
			}
			if c.LivenessProbe == nil {
				at("no livenessProbe")
			}
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
			at("no cpu and memory requests")
		}
		if c.Resources.Limits.Memory().IsZero() {
			at("no memory limit")
		}
		if _, ok := c.Resources.Limits[gpuResource]; ok {
			gpu = true
		}
		sc := c.SecurityContext
		nonRoot := podNonRoot || (sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot)
		if !nonRoot {
			at("runAsNonRoot is not true")
		}
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			at("allowPrivilegeEscalation is not false")
		}
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			at("readOnlyRootFilesystem is not true")
		}
		if sc == nil || sc.Capabilities == nil || !dropsAll(sc.Capabilities.Drop) {
			at("capabilities do not drop ALL")
		}
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil && !configMaps[e.ConfigMapRef.Name] {
				at(fmt.Sprintf("envFrom ConfigMap %s is not rendered", e.ConfigMapRef.Name))
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil && !configMaps[e.ValueFrom.ConfigMapKeyRef.Name] {
				at(fmt.Sprintf("env %s: ConfigMap %s is not rendered", e.Name, e.ValueFrom.ConfigMapKeyRef.Name))
			}
		}
		for _, e := range c.Env {
			if e.Name == "SUPERGRAPH_PATH" && !fromConfigMap(spec, c, e.Value) {
				at("SUPERGRAPH_PATH " + e.Value + " is not in a mounted ConfigMap (a new supergraph would not roll the gateway)")
			}
		}
		mounted := map[string]bool{}
		for _, m := range c.VolumeMounts {
			mounted[m.Name] = true
		}
		for name := range mounted {
			if !hasVolume(spec, name) && !w.claimTemplates[name] {
				at(fmt.Sprintf("mounts volume %s, which the pod does not declare", name))
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil && !configMaps[v.ConfigMap.Name] {
			out = append(out, fmt.Sprintf("volume %s: ConfigMap %s is not rendered", v.Name, v.ConfigMap.Name))
		}
		if v.PersistentVolumeClaim != nil && !claims[v.PersistentVolumeClaim.ClaimName] {
			out = append(out, fmt.Sprintf("volume %s: PersistentVolumeClaim %s is not rendered", v.Name, v.PersistentVolumeClaim.ClaimName))
		}
	}
	if port, ok := w.pod.Annotations["prometheus.io/port"]; ok && !declaresPort(spec, port) {
		out = append(out, fmt.Sprintf("prometheus.io/port %s is no containerPort of the pod", port))
	}
	if gpu && !toleratesGPU(spec.Tolerations) {
		out = append(out, "requests nvidia.com/gpu but does not tolerate the nvidia.com/gpu taint")
	}
	return out
}

func isInit(spec corev1.PodSpec, name string) bool {
	for _, c := range spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}

func hasVolume(spec corev1.PodSpec, name string) bool {
	for _, v := range spec.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}

// fromConfigMap: path lies under one of the container's mounts of a ConfigMap volume.
func fromConfigMap(spec corev1.PodSpec, c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if !strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == m.Name && v.ConfigMap != nil {
				return true
			}
		}
	}
	return false
}

func declaresPort(spec corev1.PodSpec, port string) bool {
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if strconv.Itoa(int(p.ContainerPort)) == port {
				return true
			}
		}
	}
	return false
}

func dropsAll(caps []corev1.Capability) bool {
	for _, c := range caps {
		if c == "ALL" {
			return true
		}
	}
	return false
}

func toleratesGPU(ts []corev1.Toleration) bool {
	for _, t := range ts {
		if t.Key == string(gpuResource) || (t.Key == "" && t.Operator == corev1.TolerationOpExists) {
			return true
		}
	}
	return false
}
