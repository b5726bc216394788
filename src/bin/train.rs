//! The native trainer: the same MLP, data format and WGSL kernels as the web page, on this
//! machine's own GPU adapter (Vulkan, Metal, DX12) or on the CPU reference.
//!
//! `cargo run --release --bin train -- --data public/data --epochs 5 --device gpu --json`

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    match native::run(std::env::args().skip(1).collect()) {
        Ok(()) => {}
        Err(message) => {
            eprintln!("train: {message}");
            std::process::exit(2);
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // The browser trains through the web app (src/main.rs); this binary is native only.
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::PathBuf;

    use price_war_lab::mnist::Mnist;
    use price_war_lab::model::TRAIN_FLOPS_PER_SAMPLE;
    use price_war_lab::train::cpu::CpuTrainer;
    use price_war_lab::train::gpu::{BufferSpec, GpuTrainer, HeadVariant, KernelPlan};
    use price_war_lab::train::{EpochReport, RunReport, TrainConfig, TrainEvent};

    const USAGE: &str = "usage: train [--data DIR] [--epochs N] [--batch N] [--seed N] \
                         [--device gpu|cpu] [--head single|parallel] [--json] [--kernels]\n\
                         DIR holds the four MNIST IDX files (plain or .gz); default public/data.\n\
                         --head picks how the GPU computes the loss and small gradients (one \
                         workgroup or many); default: many.\n\
                         --kernels prints, as JSON, one training step's kernels for \
                         bench/kernels.mjs, and trains nothing.";

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Device {
        Gpu,
        Cpu,
    }

    struct Options {
        data: PathBuf,
        config: TrainConfig,
        device: Device,
        head: Option<HeadVariant>,
        json: bool,
        kernels: bool,
    }

    fn parse(args: Vec<String>) -> Result<Options, String> {
        let mut options = Options {
            data: PathBuf::from("public/data"),
            config: TrainConfig::default(),
            device: Device::Gpu,
            head: None,
            json: false,
            kernels: false,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value =
                |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
            match flag.as_str() {
                "--data" => options.data = PathBuf::from(value("--data")?),
                "--epochs" => options.config.epochs = number(&value("--epochs")?, "--epochs")?,
                "--batch" => options.config.batch_size = number(&value("--batch")?, "--batch")?,
                "--seed" => options.config.seed = number(&value("--seed")?, "--seed")? as u64,
                "--device" => {
                    options.device = match value("--device")?.as_str() {
                        "gpu" => Device::Gpu,
                        "cpu" => Device::Cpu,
                        other => return Err(format!("--device is gpu or cpu, not '{other}'")),
                    }
                }
                "--head" => {
                    options.head = Some(match value("--head")?.as_str() {
                        "single" => HeadVariant::SingleWorkgroup,
                        "parallel" => HeadVariant::Parallel,
                        other => {
                            return Err(format!("--head is single or parallel, not '{other}'"));
                        }
                    })
                }
                "--json" => options.json = true,
                "--kernels" => options.kernels = true,
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
            }
        }
        if options.config.epochs == 0 || options.config.batch_size == 0 {
            return Err("--epochs and --batch must be at least 1".to_string());
        }
        if options.head.is_some() && options.device == Device::Cpu && !options.kernels {
            return Err("--head is for the GPU's kernels; the CPU has one way".to_string());
        }
        Ok(options)
    }

    fn number(text: &str, flag: &str) -> Result<usize, String> {
        text.parse()
            .map_err(|_| format!("{flag} needs a whole number, not '{text}'"))
    }

    /// What the figures mean, printed under them (the page shows the same line).
    const FIGURES_NOTE: &str = "samples/s and ms/step: wall time of the training steps \
         (test evaluation excluded); GFLOP/s: the model's exact training FLOPs per sample × \
         samples/s; GPU time: the steps' compute passes on the GPU's own clock (timestamp \
         queries); the summary's samples/s leaves out the first (warm-up) epoch when there are \
         more.";

    /// Said instead of a GPU time where the adapter has no timestamp queries.
    const NO_GPU_TIMER: &str = "not available on this adapter";

    pub fn run(args: Vec<String>) -> Result<(), String> {
        let options = parse(args)?;
        if options.kernels {
            return print_kernel_plan(&options);
        }
        let data = Mnist::load_dir(&options.data).map_err(|e| e.to_string())?;
        let json = options.json;
        // GPU time: Some(true) with timestamp queries, Some(false) without, None on the CPU.
        let mut gpu_timer = None;
        let mut on_event = |event: TrainEvent| {
            if let TrainEvent::Epoch(epoch) = event {
                print_epoch(&epoch, json, options.config.batch_size);
            }
        };
        let report = match options.device {
            Device::Gpu => {
                let mut trainer =
                    pollster::block_on(GpuTrainer::new(&data.train, &data.test, options.config))
                        .map_err(|e| e.to_string())?;
                if let Some(head) = options.head {
                    trainer.set_head_variant(head);
                }
                gpu_timer = Some(trainer.has_gpu_timer());
                if !json {
                    println!(
                        "device: {}, head {:?}",
                        trainer.adapter_name(),
                        trainer.head_variant()
                    );
                    if !trainer.has_gpu_timer() {
                        println!("GPU time: {NO_GPU_TIMER}");
                    }
                }
                pollster::block_on(trainer.run(&mut on_event, &|| false))
                    .map_err(|e| e.to_string())?
            }
            Device::Cpu => {
                let mut trainer = CpuTrainer::new(&data.train, &data.test, options.config);
                if !json {
                    println!("device: CPU (Rust reference)");
                }
                pollster::block_on(trainer.run(&mut on_event, &|| false))
            }
        };
        print_summary(&report, json, gpu_timer);
        Ok(())
    }

    /// One training step's kernels, dispatches and buffers, for `bench/kernels.mjs`.
    fn print_kernel_plan(options: &Options) -> Result<(), String> {
        let head = options.head.unwrap_or(HeadVariant::DEFAULT);
        // The app's embedded training set: 8,000 images.
        let plan = KernelPlan::new(&options.config, head, 8000).map_err(|e| e.to_string())?;
        let buffer = |binding: u32, spec: &BufferSpec, kind: &str| {
            serde_json::json!({
                "binding": binding, "label": spec.label, "bytes": spec.bytes, "kind": kind,
            })
        };
        let b = &plan.buffers;
        let line = serde_json::json!({
            "batch_size": plan.batch_size,
            "head": format!("{head:?}"),
            "train_samples": 8000,
            "shader": plan.shader,
            "step_settings": plan.step_settings,
            "bindings": [
                buffer(0, &b.train_images, "read-only-storage"),
                buffer(1, &b.train_labels, "read-only-storage"),
                buffer(2, &b.order, "read-only-storage"),
                buffer(3, &b.state, "storage"),
                buffer(4, &b.activations, "storage"),
                buffer(5, &b.summary, "storage"),
            ],
            "dispatches": plan.dispatches.iter().map(|d| serde_json::json!({
                "entry_point": d.kernel.entry_point(),
                "workgroups": d.workgroups,
                "matmul_flops": d.kernel.matmul_flops(plan.batch_size),
            })).collect::<Vec<_>>(),
        });
        println!("{line}");
        Ok(())
    }

    fn print_epoch(epoch: &EpochReport, json: bool, batch_size: usize) {
        if json {
            let line = serde_json::json!({
                "epoch": epoch.epoch,
                "train_loss": epoch.train_loss,
                "train_accuracy": epoch.train_accuracy,
                "test_accuracy": epoch.test_accuracy,
                "samples": epoch.samples,
                "train_time_s": epoch.train_time_s,
                "eval_time_s": epoch.eval_time_s,
                "samples_per_s": epoch.samples_per_s,
                "ms_per_step": epoch.ms_per_step(batch_size),
                "achieved_gflops": epoch.achieved_flops_per_s() / 1e9,
                "gpu_time_s": epoch.gpu_time_s,
            });
            println!("{line}");
        } else {
            let gpu = epoch
                .gpu_time_s
                .map_or_else(String::new, |s| format!(", GPU time {s:.2} s"));
            println!(
                "epoch {}: loss {:.4}, train accuracy {:.4}, test accuracy {:.4}, {:.2} s, \
                 {:.0} samples/s, {:.2} ms/step, {:.2} GFLOP/s{gpu}",
                epoch.epoch,
                epoch.train_loss,
                epoch.train_accuracy,
                epoch.test_accuracy,
                epoch.train_time_s,
                epoch.samples_per_s,
                epoch.ms_per_step(batch_size),
                epoch.achieved_flops_per_s() / 1e9
            );
        }
    }

    fn print_summary(report: &RunReport, json: bool, gpu_timer: Option<bool>) {
        let steady = report.steady_samples_per_s().unwrap_or(0.0);
        let accuracy = report.final_test_accuracy().unwrap_or(0.0);
        if json {
            let total_s: f64 = report.epochs.iter().map(|e| e.train_time_s).sum();
            let line = serde_json::json!({
                "system": "price-war-lab native",
                "device": report.device,
                "epochs": report.epochs.len(),
                "ms_per_epoch": total_s * 1e3 / report.epochs.len().max(1) as f64,
                "samples_per_s": steady,
                "test_accuracy": accuracy,
                "flops_per_sample": TRAIN_FLOPS_PER_SAMPLE,
                "gpu_time_s": gpu_timer
                    .is_some_and(|timer| timer)
                    .then(|| report.epochs.iter().filter_map(|e| e.gpu_time_s).sum::<f64>()),
                "gpu_time_note": match gpu_timer {
                    Some(true) => "timestamp queries, all epochs' training steps",
                    Some(false) => NO_GPU_TIMER,
                    None => "CPU run",
                },
                "warmup_included": report.epochs.len() <= 1,
            });
            println!("{line}");
        } else {
            println!(
                "{}: {} epochs, test accuracy {accuracy:.4}, {steady:.0} samples/s after the \
                 first epoch (warm-up excluded when there is more than one)",
                report.device,
                report.epochs.len()
            );
            println!("{FIGURES_NOTE}");
        }
    }
}
